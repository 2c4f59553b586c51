"""export_hugo: a Hugo site that the real `hugo` builds and `import_hugo` reads back unchanged."""

import hashlib
import io
import shutil
import subprocess
import zipfile
from datetime import datetime, timedelta

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Redirect, Tag
from hugo_import.importer import import_site
from hugo_import.models import ImportedPost
from hugo_import.site import HugoSite
from portability.hugo_export import export_to
from series.models import Series, SeriesPart

LANGUAGES = ["en", "ru"]


def png(color, size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def blog(make_article, make_tag, make_author, django_capture_on_commit_callbacks):
    """A small site with everything an export must carry."""
    from articles.uploads import ImageUploadForm

    writer = make_author(name="Ada Writer", slug="ada-writer")
    other = make_author(name="Boris Petrov", slug="boris-petrov")
    databases = make_tag(slug="databases", name_en="Databases", name_ru="Базы данных")
    python = make_tag(slug="python", name_en="Python")
    form = ImageUploadForm(files={"image": SimpleUploadedFile("chart.png", png("red"))})
    assert form.is_valid()
    chart = form.save()
    now = timezone.now().replace(microsecond=0)
    series = Series.objects.create(
        slug="the-guide",
        title_en="The guide",
        title_ru="Руководство",
        intro_en="Read the parts **in order**.",
        intro_ru="Читайте части **по порядку**.",
    )
    for number in (1, 2, 3):
        part = make_article(
            slug=f"guide-{number}",
            title_en=f"Guide, part {number}",
            summary_en=f"What part {number} answers.",
            body_en=f"## Step {number}\n\nSee [part 1](/en/posts/guide-1/).\n\n"
            f"![A red chart]({chart})\n",
            title_ru=f"Руководство, часть {number}",
            summary_ru=f"Ответ части {number}.",
            body_ru=f"## Шаг {number}\n\nТекст.\n",
            author=writer,
            published_at=now - timedelta(days=10 - number),
            tags=[databases],
        )
        # Stored out of date order: the series order is the position, not the date.
        SeriesPart.objects.create(series=series, article=part, position={1: 2, 2: 1, 3: 3}[number])
    with django_capture_on_commit_callbacks(execute=True):
        covered = make_article(
            slug="with-cover",
            title_en="With a cover",
            summary_en="A cover and its descriptions.",
            body_en="Plain *Markdown* with `code`, a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
            cover_image=SimpleUploadedFile("cover.png", png("blue", (200, 100))),
            cover_alt_en="A blue field",
            cover_alt_ru="Синее поле",
            title_ru="С обложкой",
            body_ru="Простой текст.",
            summary_ru="Обложка и её описания.",
            author=other,
            published_at=now - timedelta(days=20),
            tags=[python, databases],
        )
    covered.slug = "with-a-cover"
    covered.save()  # the old slug now answers 301
    Redirect.objects.create(path="/2019/05/with-cover.html", article=covered, language="en")
    Redirect.objects.create(path="/ru/2019/05/s-oblozhkoj/", article=covered, language="ru")
    make_article(
        slug="a-draft",
        # What YAML and front-matter splitting could trip on.
        title_en="Not finished: a 'draft' # with \"quotes\" & --- yes",
        summary_en="Still writing.\nSecond line: with a colon.",
        body_en="Above a rule.\n\n---\n\ntitle: not front matter\n\n---\n\n+++\nBelow.",
        title_ru="Черновик: «кавычки»",
        summary_ru="Пишется.",
        body_ru="Текст.",
        status=Article.Status.DRAFT,
        published_at=None,
        author=writer,
    )
    make_article(
        slug="next-week",
        title_en="Scheduled",
        summary_en="Comes later.",
        published_at=now + timedelta(days=7),
        author=other,
        tags=[python],
    )
    return covered


def media_digest(storage_name):
    from django.core.files.storage import default_storage

    with default_storage.open(storage_name, "rb") as opened:
        return hashlib.sha256(opened.read()).hexdigest()


def old_addresses(client):
    """Every old address, and the page its 301 leads to."""
    paths = [
        f"/{code}/posts/{r.old_slug}/"
        for r in Redirect.objects.filter(old_slug__isnull=False)
        for code in LANGUAGES
    ]
    paths += list(Redirect.objects.filter(path__isnull=False).values_list("path", flat=True))
    answers = {}
    for path in paths:
        response = client.get(path)
        if response.status_code == 301:
            answers[path] = response["Location"]
    return answers


def snapshot(client):
    """The site as a reader and an editor see it, field by field."""
    articles = {}
    for article in Article.objects.select_related("author").prefetch_related("tags"):
        part = SeriesPart.objects.filter(article=article).select_related("series").first()
        articles[article.slug] = {
            **{
                # Empty is empty, stored as NULL or as ""; a file ends with a newline.
                f"{field}_{code}": (getattr(article, f"{field}_{code}") or "").rstrip("\n")
                for field in ("title", "summary", "body", "cover_alt")
                for code in LANGUAGES
            },
            "status": article.status,
            "published_at": article.published_at,
            "author": (article.author.name, article.author.slug),
            "tags": sorted((t.slug, t.name_en, t.name_ru or "") for t in article.tags.all()),
            "series": part and (part.series.slug, part.series.title_en, part.series.title_ru or ""),
            "position": part and part.position,
            "cover": media_digest(article.cover_image.name) if article.cover_image else None,
            "body_html_en": article.body_html_en,
        }
    return {
        "articles": articles,
        "authors": sorted(Author.objects.values_list("name", "slug")),
        "tags": sorted((tag.slug, tag.name_en, tag.name_ru or "") for tag in Tag.objects.all()),
        "series": sorted(
            (series.slug, series.title_en, series.title_ru or "") for series in Series.objects.all()
        ),
        "old addresses": old_addresses(client),
    }


def empty_the_site(settings, tmp_path):
    """Another, empty site: no rows, no media."""
    for model in (Article, Author, Tag, Series):
        model.objects.all().delete()
    settings.MEDIA_ROOT = tmp_path / "other-media"


# Real commits: each imported post commits, and the work after it (renditions) runs then.
@pytest.mark.django_db(transaction=True)
def test_the_round_trip_gives_back_the_same_site(client, blog, tmp_path, settings):
    before = snapshot(client)
    call_command("export_hugo", str(tmp_path / "site"), stdout=io.StringIO())
    empty_the_site(settings, tmp_path)
    report = import_site(HugoSite.load(tmp_path / "site"))
    assert not report.skipped
    after = snapshot(client)
    # Compared one by one so a failure names the field.
    assert sorted(after["articles"]) == sorted(before["articles"])
    for slug, fields in before["articles"].items():
        for name, value in fields.items():
            assert after["articles"][slug][name] == value, (slug, name)
    for key in ("authors", "tags", "series"):
        assert after[key] == before[key], key
    # Every address that answered 301 still leads to the same page. (The import also keeps
    # the Hugo site's own /posts/SLUG/ addresses: extra redirects, none lost.)
    for path, target in before["old addresses"].items():
        assert after["old addresses"].get(path) == target, path
    assert len(before["old addresses"]) == 4
    assert ImportedPost.objects.count() == 6


def test_the_export_has_hugos_bundle_layout_and_front_matter(blog, tmp_path):
    export_to(tmp_path / "site")
    root = tmp_path / "site"
    assert (root / "hugo.toml").is_file()
    bundle = root / "content" / "posts" / "with-a-cover"
    assert sorted(path.name for path in bundle.iterdir())[-2:] == ["index.md", "index.ru.md"]
    front, body = (bundle / "index.md").read_text().split("---\n", 2)[1:]
    meta = yaml.safe_load(front)
    assert meta["title"] == "With a cover"
    assert meta["translationKey"] == "with-a-cover"
    assert meta["draft"] is False
    assert meta["author"] == "Boris Petrov"
    assert meta["tags"] == ["Python", "Databases"] or sorted(meta["tags"]) == [
        "Databases",
        "Python",
    ]
    assert meta["cover"]["alt"] == "A blue field"
    assert (bundle / meta["cover"]["image"]).is_file()
    assert "/en/posts/with-cover/" in meta["aliases"]
    assert "/2019/05/with-cover.html" in meta["aliases"]
    assert body.strip().startswith("Plain *Markdown*")
    russian = yaml.safe_load((bundle / "index.ru.md").read_text().split("---\n", 2)[1])
    assert russian["tags"] == ["Python", "Базы данных"] or "Базы данных" in russian["tags"]
    assert russian["cover"]["alt"] == "Синее поле"
    assert "/ru/2019/05/s-oblozhkoj/" in russian["aliases"]
    draft = yaml.safe_load(
        (root / "content/posts/a-draft/index.md").read_text().split("---\n", 2)[1]
    )
    assert draft["draft"] is True
    scheduled = yaml.safe_load(
        (root / "content/posts/next-week/index.md").read_text().split("---\n", 2)[1]
    )
    assert scheduled["draft"] is False
    assert datetime.fromisoformat(scheduled["date"]) > timezone.now()
    part = yaml.safe_load(
        (root / "content/posts/guide-2/index.md").read_text().split("---\n", 2)[1]
    )
    assert part["series"] == ["The guide"]
    assert part["weight"] == 1
    guide = (root / "content/posts/guide-1/index.md").read_text()
    assert "![A red chart](" in guide
    assert "/media/" not in guide


def test_hugo_builds_the_export(blog, tmp_path):
    hugo = shutil.which("hugo")
    if hugo is None:
        pytest.skip("hugo is not installed and apt could not provide it (make hugo)")
    export_to(tmp_path / "site")
    result = subprocess.run(
        [hugo, "--source", str(tmp_path / "site"), "--destination", str(tmp_path / "public")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "WARN" not in result.stderr, result.stderr
    assert "ERROR" not in result.stderr, result.stderr
    public = tmp_path / "public"
    page = (public / "en/posts/with-a-cover/index.html").read_text()
    assert "With a cover" in page
    assert 'alt="A blue field"' in page
    assert "<table>" in page
    assert "С обложкой" in (public / "ru/posts/with-a-cover/index.html").read_text()
    # The cover sits beside the page, as in the bundle.
    cover = next((public / "en/posts/with-a-cover").glob("*.png"))
    assert cover.stat().st_size > 0
    # Old addresses are Hugo aliases: a page that sends the reader on.
    alias = (public / "en/posts/with-cover/index.html").read_text()
    assert "/en/posts/with-a-cover/" in alias
    assert (public / "2019/05/with-cover.html").is_file()
    # Drafts stay out of the build, and a scheduled article waits for its date, as here.
    assert not (public / "en/posts/a-draft").exists()
    # The series page carries its intro, in each language.
    assert "<strong>in order</strong>" in (public / "en/series/the-guide/index.html").read_text()
    russian_series = next((public / "ru/series").glob("*/index.html")).read_text()
    assert "<strong>по порядку</strong>" in russian_series
    assert not (public / "en/posts/next-week").exists()


def test_the_export_refuses_a_folder_that_is_not_empty(blog, tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "keep.txt").write_text("mine")
    with pytest.raises(CommandError, match="not an empty folder"):
        call_command("export_hugo", str(tmp_path / "site"))
    assert [p.name for p in (tmp_path / "site").iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media", "site"]


def test_editors_download_the_export_as_a_zip(admin_client, blog):
    response = admin_client.post(
        "/admin/articles/article/",
        {"action": "export_as_hugo_site", "_selected_action": [blog.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert "hugo-site/hugo.toml" in names
    assert "hugo-site/content/posts/with-a-cover/index.ru.md" in names
    assert not [name for name in names if "guide-1" in name]


@pytest.mark.skipif(
    not Article._meta.get_field("title_en").blank,
    reason="the blog cannot hold an article written only in Russian yet (issue 22)",
)
@pytest.mark.django_db(transaction=True)
def test_an_article_written_only_in_russian_comes_back_the_same(client, tmp_path, settings):
    writer = Author.objects.create(name="Boris Petrov", slug="boris-petrov")
    article = Article.objects.create(
        slug="tolko-po-russki",
        title_ru="Только по-русски",
        summary_ru="Статья без английской версии.",
        body_ru="## Раздел\n\nТекст.",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now().replace(microsecond=0) - timedelta(days=1),
        author=writer,
    )
    article.tags.add(Tag.objects.create(slug="zametki", name_ru="Заметки"))
    before = snapshot(client)
    export_to(tmp_path / "site")
    assert sorted(p.name for p in (tmp_path / "site/content/posts/tolko-po-russki").iterdir()) == [
        "index.ru.md"
    ]
    empty_the_site(settings, tmp_path)
    report = import_site(HugoSite.load(tmp_path / "site"))
    assert not report.skipped
    after = snapshot(client)
    assert after["articles"] == before["articles"]
    assert after["tags"] == before["tags"]
    assert client.get("/ru/posts/tolko-po-russki/").status_code == 200
