"""backup → restore into an empty site gives the same pages byte for byte; a damaged archive,
whatever the damage, stops with a clear message and changes nothing."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
import reversion
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from PIL import Image

from articles.models import Article
from newsletter.models import Delivery, Issue, Subscriber
from portability.backup import dumped_models

# Every kind of public page, feed and API answer. The page cache's Last-Modified header is
# the render time: headers are not compared, the bytes of each page are.
PAGES = [
    "/en/",
    "/ru/",
    "/en/posts/guide-part-1/",
    "/ru/posts/guide-part-1/",
    "/en/posts/with-cover/",
    "/en/series/",
    "/en/series/guide/",
    "/en/tags/",
    "/en/tags/databases/",
    "/en/authors/ada-writer/",
    "/en/archive/",
    "/en/search/?q=guide",
    "/ru/search/?q=guide",
    "/en/feed/",
    "/en/feed/atom/",
    "/ru/feed.json",
    "/sitemap.xml",
    *(f"/sitemap-{section}.xml" for section in ["pages", "articles", "series", "tags", "authors"]),
    "/api/v1/posts/?include=authors,tags,series&formats=html,markdown",
    "/api/v1/series/?include=posts",
]


def png(color):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def site(make_series, make_tag, make_article, author):
    tag = make_tag(slug="databases", name_en="Databases", name_ru="Базы данных")
    series = make_series(parts=3, slug="guide")
    for part in series.parts.all():
        part.article.tags.add(tag)
    first = Article.objects.get(slug="guide-part-1")
    with reversion.create_revision():
        first.title_ru, first.body_ru = "Руководство, часть 1", "Русский текст про **индексы**."
        first.save()
    make_article(
        slug="with-cover",
        title_en="With a cover",
        cover_image=SimpleUploadedFile("cover.png", png("green")),
        cover_alt_en="A green field",
        author=author,
    )
    make_article(slug="scheduled", published_at=timezone.now() + timedelta(days=2))
    reader = Subscriber.objects.create(
        email="reader@example.com",
        status=Subscriber.Status.CONFIRMED,
        consent_page="/en/",
        consent_wording="2026-11",
        consent_ip="203.0.113.7",
        confirmed_at=timezone.now(),
    )
    issue = Issue.objects.create(subject="Weekly")
    Delivery.objects.create(issue=issue, subscriber=reader, status=Delivery.Status.SENT)
    User.objects.create_superuser("owner", "owner@example.com", "a long passphrase 42")
    return series


def pages(client):
    answers = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        answers[url] = response.content
    return answers


def media_tree(root):
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def empty_site(settings, tmp_path):
    """A new database (migrated, nothing in it) and a new, empty media folder."""
    call_command("flush", interactive=False, verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "new-media"


def delete_every_row():
    """As flush, inside the test's transaction (PostgreSQL cannot TRUNCATE there)."""
    for _round in range(len(dumped_models())):
        left = False
        for model in dumped_models():
            try:
                with transaction.atomic():
                    model._base_manager.all().delete()
            except (ProtectedError, RestrictedError):
                left = True
        if not left:
            return


@pytest.fixture
def site_with_social_images(settings, request):
    # The pages name their social images; the media folder must bring them back too.
    settings.SOCIAL_IMAGES = True
    return request.getfixturevalue("site")


@pytest.mark.django_db(transaction=True)
def test_restore_into_an_empty_site_serves_the_same_pages_byte_for_byte(
    client, site_with_social_images, tmp_path, settings
):
    before = pages(client)
    media_before = media_tree(settings.MEDIA_ROOT)
    assert any(name.startswith("covers/") for name in media_before)
    assert any(name.startswith("social/") for name in media_before)
    archive = tmp_path / "site.zip"
    call_command("backup", str(archive), stdout=io.StringIO())

    empty_site(settings, tmp_path)
    assert client.get("/en/posts/guide-part-1/").status_code == 404
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "Restored database and" in out.getvalue()

    after = pages(client)
    for url in PAGES:
        assert after[url] == before[url], url
    assert media_tree(settings.MEDIA_ROOT) == media_before
    reader = Subscriber.objects.get(email="reader@example.com")
    assert (reader.consent_ip, reader.consent_wording) == ("203.0.113.7", "2026-11")
    assert reader.deliveries.get().status == Delivery.Status.SENT
    assert reversion.models.Version.objects.get_for_model(Article).exists()
    assert User.objects.get(username="owner").check_password("a long passphrase 42")
    # The scheduled article stays scheduled.
    assert client.get("/en/posts/scheduled/").status_code == 404


def test_the_archive_lists_a_checksum_for_every_file(site, tmp_path):
    call_command("backup", str(tmp_path / "site.zip"), stdout=io.StringIO())
    with zipfile.ZipFile(tmp_path / "site.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist()) - {"manifest.json"}
        database = json.loads(archive.read("database.exactjson"))
    assert set(manifest["files"]) == names
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"].values())
    models = {row["model"] for row in database}
    assert {"articles.article", "newsletter.subscriber", "newsletter.delivery"} <= models
    assert {"reversion.version", "auth.user", "series.seriespart"} <= models
    assert not models & {"sessions.session", "contenttypes.contenttype", "auth.permission"}
    # No secret from the settings is in it.
    text = (tmp_path / "site.zip").read_bytes()
    assert settings_secret() not in text


def settings_secret():
    from django.conf import settings

    return settings.SECRET_KEY.encode()


def test_a_backup_never_overwrites_a_file(small_site, tmp_path):
    (tmp_path / "site.zip").write_bytes(b"precious")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(tmp_path / "site.zip"))
    assert (tmp_path / "site.zip").read_bytes() == b"precious"


def rewrite(source, target, change):
    """A copy of the archive with `change(name, data)` applied to each member (None drops it)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)


def flip_a_byte(name, data):
    if name.startswith("media/covers/"):
        return data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
    return data


def break_the_json(name, data):
    if name == "database.exactjson":
        return data[:-20]
    if name == "manifest.json":
        return data  # the manifest still names the old checksum
    return data


def forged_database(name, data):
    """Bad data with a matching checksum: the load itself fails, inside its transaction."""
    import hashlib

    if name == "database.exactjson":
        rows = json.loads(data)
        rows.append({"model": "articles.article", "pk": 999, "fields": {"author": 12345}})
        forged_database.data = json.dumps(rows).encode()
        return forged_database.data
    if name == "manifest.json":
        manifest = json.loads(data)
        manifest["files"]["database.exactjson"] = {
            "sha256": hashlib.sha256(forged_database.data).hexdigest(),
            "size": len(forged_database.data),
        }
        return json.dumps(manifest).encode()
    return data


def escape_the_folder(name, data):
    if name == "manifest.json":
        manifest = json.loads(data)
        manifest["files"]["../../outside.txt"] = {"sha256": "0" * 64, "size": 1}
        return json.dumps(manifest).encode()
    return data


DAMAGE = {
    "a flipped byte in an image": lambda a, t: rewrite(a, t, flip_a_byte),
    "a cut database": lambda a, t: rewrite(a, t, break_the_json),
    "a missing media file": lambda a, t: rewrite(
        a, t, lambda n, d: None if n.startswith("media/covers/") else d
    ),
    "an unlisted file": lambda a, t: (
        rewrite(a, t, lambda n, d: d),
        zipfile.ZipFile(t, "a").writestr("media/extra.txt", b"x"),
    ),
    "no manifest": lambda a, t: rewrite(a, t, lambda n, d: None if n == "manifest.json" else d),
    "a damaged manifest": lambda a, t: rewrite(
        a, t, lambda n, d: b"{not json" if n == "manifest.json" else d
    ),
    "a file outside its folder": lambda a, t: rewrite(a, t, escape_the_folder),
    "a truncated archive": lambda a, t: t.write_bytes(a.read_bytes()[: len(a.read_bytes()) // 2]),
    "not an archive": lambda a, t: t.write_bytes(b"just some text"),
    "an empty file": lambda a, t: t.write_bytes(b""),
    "rows that do not load": lambda a, t: rewrite(a, t, forged_database),
}


@pytest.fixture
def small_site(make_article):
    make_article(slug="with-cover", cover_image=SimpleUploadedFile("cover.png", png("green")))
    Subscriber.objects.create(email="reader@example.com")


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_archive_stops_with_a_clear_message_and_changes_nothing(
    small_site, tmp_path, settings, damage
):
    good = tmp_path / "good.zip"
    call_command("backup", str(good), stdout=io.StringIO())
    bad = tmp_path / "bad.zip"
    DAMAGE[damage](good, bad)
    delete_every_row()
    settings.MEDIA_ROOT = tmp_path / "new-media"
    (tmp_path / "new-media").mkdir()
    with pytest.raises(CommandError, match=r"^Nothing was restored: ") as error:
        call_command("restore", str(bad))
    assert "Traceback" not in str(error.value)
    assert Article.objects.count() == 0
    assert Subscriber.objects.count() == 0
    assert list((tmp_path / "new-media").iterdir()) == []
    # No staging folder left behind.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert not (tmp_path.parent / "outside.txt").exists()


def test_restore_refuses_a_site_that_is_not_empty(small_site, tmp_path):
    call_command("backup", str(tmp_path / "site.zip"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="the database is not empty"):
        call_command("restore", str(tmp_path / "site.zip"))
    assert Article.objects.count() == 1


def test_restore_refuses_a_non_empty_media_folder(small_site, tmp_path, settings):
    call_command("backup", str(tmp_path / "site.zip"), stdout=io.StringIO())
    delete_every_row()
    with pytest.raises(CommandError, match=r"media folder .* is not empty"):
        call_command("restore", str(tmp_path / "site.zip"))
