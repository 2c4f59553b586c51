import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from image_samples import image_bytes
from PIL import Image

from articles.models import Article

UPLOAD = "/markdownx/upload/"
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def media_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def upload(client, content, name="picture.png", content_type="image/png"):
    return client.post(UPLOAD, {"image": SimpleUploadedFile(name, content, content_type)}, **XHR)


@pytest.fixture
def small_caps(settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 200_000
    settings.IMAGE_UPLOAD_MAX_PIXELS = 1_000_000


def bomb_png():
    # 14000 × 14000 one-bit PNG: a few kilobytes on disk, 196 megapixels once decoded.
    buffer = io.BytesIO()
    Image.new("1", (14000, 14000)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


BAD_UPLOADS = {
    "svg": (lambda: SVG, "drawing.svg", "image/svg+xml", "Only JPEG, PNG, WebP and GIF"),
    "svg renamed .png": (lambda: SVG, "drawing.png", "image/png", "Only JPEG, PNG, WebP and GIF"),
    "pdf renamed .png": (lambda: b"%PDF-1.4\n%\xe2\xe3", "doc.png", "image/png", "Only JPEG"),
    "bmp renamed .png": (lambda: image_bytes("BMP"), "x.png", "image/png", "Only JPEG"),
    "too many bytes": (
        lambda: image_bytes("PNG", size=(1000, 1000), color=None) + b"\0" * 200_000,
        "big.png",
        "image/png",
        "The file is too big",
    ),
    "too many pixels": (
        lambda: image_bytes("PNG", size=(1001, 1000), color="white"),
        "wide.png",
        "image/png",
        "The image is too large",
    ),
    "decompression bomb": (bomb_png, "bomb.png", "image/png", "The image is too large"),
    "truncated": (
        lambda: image_bytes("JPEG", size=(300, 300), color="red")[:-600],
        "cut.jpg",
        "image/jpeg",
        "damaged or incomplete",
    ),
    "empty": (lambda: b"", "empty.png", "image/png", "empty"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_bad_upload_is_a_clear_error_and_leaves_nothing_in_media(
    editor_client, settings, small_caps, case
):
    make, name, content_type, message = BAD_UPLOADS[case]
    response = upload(editor_client, make(), name, content_type)
    assert response.status_code == 400
    assert message in " ".join(response.json()["image"])
    assert media_files(settings) == []


def test_decompression_bomb_is_refused_even_with_generous_caps(editor_client, settings):
    settings.IMAGE_UPLOAD_MAX_PIXELS = 10**10  # only Pillow's own guard is left
    response = upload(editor_client, bomb_png(), "bomb.png")
    assert response.status_code == 400
    assert "The image is too large" in response.json()["image"][0]


def test_refusal_without_xhr_is_still_json_not_a_500(editor_client):
    response = editor_client.post(UPLOAD, {"image": SimpleUploadedFile("x.svg", SVG)})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("format", "extension"), [("PNG", "png"), ("JPEG", "jpg"), ("GIF", "gif"), ("WEBP", "webp")]
)
def test_good_upload_is_stored_under_its_content_hash(editor_client, settings, format, extension):
    response = upload(editor_client, image_bytes(format), "whatever.bin", "application/x-nonsense")
    assert response.status_code == 200
    code = response.json()["image_code"]
    [stored] = media_files(settings)
    assert stored.startswith("uploads/")
    assert stored.endswith(f".{extension}")
    assert len(stored.removeprefix("uploads/").split(".")[0]) == 64
    assert code == f"![](/media/{stored})"


def test_animated_gif_is_accepted_with_its_frames(editor_client, settings):
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=80)
    assert upload(editor_client, buffer.getvalue(), "anim.gif", "image/gif").status_code == 200
    [stored] = media_files(settings)
    with Image.open(settings.MEDIA_ROOT / stored) as image:
        assert (image.format, image.n_frames, image.info["duration"]) == ("GIF", 3, 80)


def test_same_image_twice_is_stored_once(editor_client, settings):
    content = image_bytes("PNG")
    first = upload(editor_client, content, "a.png").json()["image_code"]
    second = upload(editor_client, content, "b.png").json()["image_code"]
    assert first == second
    assert len(media_files(settings)) == 1


def test_uploads_are_for_staff_only(client, db, settings):
    response = client.post(UPLOAD, {"image": SimpleUploadedFile("a.png", image_bytes())}, **XHR)
    assert response.status_code == 302
    assert media_files(settings) == []


# Cover images, through the article form.


def cover_form(author, cover, **fields):
    return {
        "title_en": "With a cover",
        "slug": "with-a-cover",
        "author": author.pk,
        "status": "draft",
        "cover_alt_en": "A teal square",
        "cover_image": cover,
        **fields,
    }


def test_svg_cover_is_refused_with_a_form_error(editor_client, author, settings):
    cover = SimpleUploadedFile("cover.png", SVG, "image/png")
    response = editor_client.post("/admin/articles/article/add/", cover_form(author, cover))
    assert response.status_code == 200
    assert "Only JPEG, PNG, WebP and GIF images can be uploaded." in response.content.decode()
    assert not Article.objects.exists()
    assert media_files(settings) == []


def test_truncated_cover_is_refused(editor_client, author, settings):
    data = image_bytes("PNG", size=(400, 300), color=None)[:-300]
    cover = SimpleUploadedFile("cover.png", data, "image/png")
    response = editor_client.post("/admin/articles/article/add/", cover_form(author, cover))
    assert "damaged or incomplete" in response.content.decode()
    assert media_files(settings) == []


def test_cover_gets_webp_renditions_used_in_srcset(
    editor_client, client, author, settings, django_capture_on_commit_callbacks
):
    content = image_bytes("JPEG", size=(1600, 900), color="navy")
    cover = SimpleUploadedFile("cover.jpg", content, "image/jpeg")
    # Renditions are made once the article is stored, after the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            "/admin/articles/article/add/", cover_form(author, cover, status="published")
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get()
    assert (article.cover_width, article.cover_height) == (1600, 900)
    stem = article.cover_image.name.removeprefix("covers/").removesuffix(".jpg")
    assert sorted(media_files(settings)) == sorted(
        [
            article.cover_image.name,
            f"renditions/{stem}-480w.webp",
            f"renditions/{stem}-960w.webp",
            f"renditions/{stem}-1440w.webp",
        ]
    )
    with Image.open(settings.MEDIA_ROOT / f"renditions/{stem}-960w.webp") as rendition:
        assert (rendition.format, rendition.size) == ("WEBP", (960, 540))
    page = client.get(article.get_absolute_url()).content.decode()
    assert f"/media/renditions/{stem}-480w.webp 480w" in page
    assert f"/media/renditions/{stem}-1440w.webp 1440w" in page
    assert 'sizes="' in page


def test_small_cover_is_never_scaled_up(make_article, settings, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    article = make_article()
    with django_capture_on_commit_callbacks(execute=True):
        article.cover_image.save("c.png", ContentFile(image_bytes("PNG", size=(300, 200))))
    article.refresh_from_db()
    assert article.cover_srcset.endswith("-300w.webp 300w")
    assert "480w" not in article.cover_srcset
