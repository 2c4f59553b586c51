"""Stored images carry nothing but the image: checked in the bytes on disk."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, PngImagePlugin

from articles.models import Article

SECRETS = [b"SECRET", b"<?php", b"<script", b"<html"]
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">SECRET-XMP</x:xmpmeta>'
TRAILERS = {
    "html": b"<html><script>alert(document.domain)</script></html>",
    "php": b"<?php system($_GET['c']); ?>",
}
# Orientation 6: the camera was turned; the stored picture must be upright instead.
ROTATED = 6


def exif():
    data = Image.Exif()
    data[ExifTags.Base.ImageDescription] = "SECRET-EXIF"
    data[ExifTags.Base.Orientation] = ROTATED
    gps = data.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (55.0, 45.0, 21.0)
    return data


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), "teal").save(
        buffer, "JPEG", exif=exif(), comment=b"SECRET-COMMENT", xmp=XMP,
        icc_profile=b"SECRET-ICC" * 10,
    )  # fmt: skip
    return buffer.getvalue()


def png():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "SECRET-COMMENT")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    buffer = io.BytesIO()
    Image.new("RGBA", (64, 40), "teal").save(buffer, "PNG", pnginfo=info, exif=exif())
    return buffer.getvalue()


def webp():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), "teal").save(buffer, "WEBP", exif=exif(), xmp=XMP)
    return buffer.getvalue()


def gif():
    frames = [Image.new("RGB", (64, 40), color) for color in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "GIF", save_all=True, append_images=frames[1:], duration=120, loop=0,
        comment=b"SECRET-COMMENT",
    )  # fmt: skip
    return buffer.getvalue()


IMAGES = {"jpeg": jpeg, "png": png, "webp": webp, "gif": gif}
# Where the image data ends in each format: nothing may follow it.
ENDINGS = {"JPEG": b"\xff\xd9", "PNG": b"IEND\xaeB`\x82", "GIF": b";"}


def hostile(kind, trailer):
    return IMAGES[kind]() + TRAILERS[trailer]


def assert_image_only(data):
    for secret in SECRETS:
        assert secret not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not dict(image.getexif())
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "Comment"} & set(
            image.info
        )
        if image.format == "WEBP":
            assert int.from_bytes(data[4:8], "little") + 8 == len(data)
        else:
            assert data.endswith(ENDINGS[image.format])


def stored(settings):
    root = settings.MEDIA_ROOT
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def staff_client(client, db):
    # No password: hashing one would cost more than the test.
    client.force_login(User.objects.create(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("trailer", TRAILERS)
@pytest.mark.parametrize("kind", IMAGES)
def test_the_editors_upload_is_stored_as_the_image_alone(staff_client, settings, kind, trailer):
    upload = SimpleUploadedFile(f"x.{kind}", hostile(kind, trailer), f"image/{kind}")
    response = staff_client.post(
        "/markdownx/upload/", {"image": upload}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert response.status_code == 200, response.content
    files = stored(settings)
    assert len(files) == 1
    assert_image_only(next(iter(files.values())))


@pytest.mark.parametrize("kind", IMAGES)
def test_a_cover_and_its_renditions_are_stored_as_the_image_alone(
    live_article, settings, kind, django_capture_on_commit_callbacks
):
    live_article.cover_image = SimpleUploadedFile(f"c.{kind}", hostile(kind, "html"))
    live_article.cover_alt_en = "A cover"
    with django_capture_on_commit_callbacks(execute=True):  # renditions are made after commit
        live_article.save()
    files = stored(settings)
    assert any(name.startswith("covers/") for name in files)
    assert any(name.startswith("renditions/") for name in files)
    for data in files.values():
        assert_image_only(data)


def test_a_turned_photo_is_stored_upright(live_article):
    live_article.cover_image = SimpleUploadedFile("c.jpg", jpeg())
    live_article.save()
    with Image.open(Article.objects.get(pk=live_article.pk).cover_image) as image:
        assert image.size == (40, 64)


def test_an_animated_gif_keeps_its_frames(staff_client, settings):
    upload = SimpleUploadedFile("x.gif", hostile("gif", "html"), "image/gif")
    staff_client.post(
        "/markdownx/upload/", {"image": upload}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    with Image.open(io.BytesIO(next(iter(stored(settings).values())))) as image:
        assert image.n_frames == 3


def test_the_same_picture_with_other_metadata_is_stored_once(staff_client, settings):
    for trailer in TRAILERS:
        upload = SimpleUploadedFile("x.png", hostile("png", trailer), "image/png")
        staff_client.post(
            "/markdownx/upload/", {"image": upload}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
        )
    assert len(stored(settings)) == 1


@pytest.mark.parametrize(("kind", "content_type"), [("png", "image/png"), ("gif", "image/gif")])
def test_stored_images_are_served_as_images_and_never_sniffed(
    staff_client, client, kind, content_type
):
    upload = SimpleUploadedFile(f"x.{kind}", hostile(kind, "html"), "text/html")
    response = staff_client.post(
        "/markdownx/upload/", {"image": upload}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    url = response.json()["image_code"].split("(")[1].rstrip(")")
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert served["X-Content-Type-Options"] == "nosniff"
