"""The cover's size comes from Django's ImageField (width_field/height_field), read from the
file's header; the renditions are the worker's, and srcset waits for them."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from image_samples import image_bytes

from articles.models import Article

BEFORE = [("articles", "0012_i28_demo_covers_unguessable")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def test_a_cover_set_in_code_has_its_size_and_no_srcset_until_the_worker(make_article, settings):
    settings.CONTENT_CHANGE_CONSUMERS = []  # no worker: nothing follows the save
    article = make_article()
    article.cover_image.save("c.png", ContentFile(image_bytes("PNG", size=(640, 360))))
    article.refresh_from_db()
    assert (article.cover_width, article.cover_height) == (640, 360)
    assert article.cover_srcset == ""
    assert not default_storage.exists("renditions")

    Article.update_cover_renditions(article.pk)
    article.refresh_from_db()
    assert article.cover_renditions_of == article.cover_image.name
    assert article.cover_srcset.endswith("-640w.webp 640w")


def test_a_new_cover_waits_for_its_own_renditions(
    make_article, settings, django_capture_on_commit_callbacks
):
    article = make_article()
    with django_capture_on_commit_callbacks(execute=True):
        article.cover_image.save("a.png", ContentFile(image_bytes("PNG", size=(500, 300))))
    article.refresh_from_db()
    assert article.cover_srcset
    settings.CONTENT_CHANGE_CONSUMERS = []
    article.cover_image.save("b.png", ContentFile(image_bytes("PNG", size=(300, 200), color="red")))
    article.refresh_from_db()
    assert (article.cover_width, article.cover_height) == (300, 200)
    assert article.cover_srcset == ""


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_sizes_and_reads_the_missing_ones(settings):
    old = migrate(BEFORE)
    author = old.get_model("articles", "Author").objects.create(name="Ada", slug="ada")
    old_article = old.get_model("articles", "Article")
    unread = default_storage.save("covers/unread.png", ContentFile(image_bytes(size=(90, 60))))
    rows = {
        "rendered": {"cover_image": "covers/made.png", "cover_width": 1200, "cover_height": 630},
        "unread": {"cover_image": unread},
        "gone": {"cover_image": "covers/gone.png"},
        "plain": {},
    }
    for slug, fields in rows.items():
        old_article.objects.create(slug=slug, title_en=slug, author=author, **fields)

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    values = {
        row["slug"]: row
        for row in new.get_model("articles", "Article").objects.values(
            "slug", "cover_width", "cover_height", "cover_renditions_of"
        )
    }
    assert values["rendered"]["cover_renditions_of"] == "covers/made.png"
    assert (values["rendered"]["cover_width"], values["rendered"]["cover_height"]) == (1200, 630)
    assert (values["unread"]["cover_width"], values["unread"]["cover_height"]) == (90, 60)
    assert values["unread"]["cover_renditions_of"] == ""
    assert values["gone"]["cover_width"] is None
    assert values["plain"]["cover_renditions_of"] == ""


@pytest.mark.django_db(transaction=True)
def test_an_admin_save_with_a_cover_draws_nothing(editor_client, author, settings, monkeypatch):
    """Counted, not timed: the request reads the cover's size and resizes no image."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_tasks_db.models import DBTaskResult
    from PIL import Image

    settings.CONTENT_CHANGE_TASKS = "default"  # the worker's queue, which nobody runs here
    resized = []
    original_resize = Image.Image.resize
    monkeypatch.setattr(
        Image.Image, "resize", lambda *a, **k: resized.append(a) or original_resize(*a, **k)
    )
    cover = SimpleUploadedFile("cover.jpg", image_bytes("JPEG", size=(1600, 900)), "image/jpeg")
    response = editor_client.post(
        "/admin/articles/article/add/",
        {
            "title_en": "With a cover",
            "slug": "with-a-cover",
            "author": author.pk,
            "status": "published",
            "cover_alt_en": "Navy",
            "cover_image": cover,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    assert (article.cover_width, article.cover_height) == (1600, 900)
    assert resized == []
    assert not default_storage.exists("renditions")
    queued = DBTaskResult.objects.filter(task_path="articles.tasks.make_article_renditions")
    assert queued.count() == 1
