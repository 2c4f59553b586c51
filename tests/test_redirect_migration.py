"""A site that ran with two redirect tables (articles.SlugRedirect, hugo_import.OldAddress) keeps
every row, column by column, in the one table (articles.Redirect), and gets them back going
back; the Editors' rights follow the table."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("articles", "0016_related_reading_stored"), ("hugo_import", "0002_list_addresses")]
AFTER = [
    ("articles", "0017_i26_one_redirect_table"),
    ("hugo_import", "0003_i26_old_addresses_moved"),
]
CREATED = [datetime(2024, 3, 1, 9, 30, tzinfo=UTC), datetime(2025, 11, 2, 17, 5, tzinfo=UTC)]
SLUG_COLUMNS = ("old_slug", "article_id", "created_at")
PATH_COLUMNS = ("path", "kind", "article_id", "slug", "first_item", "language")


@pytest.fixture
def migrated_back_at_the_end():
    yield
    # The flush after a transactional test needs every table of the models as they are now.
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def rows(model, columns, **only):
    return sorted(model.objects.filter(**only).values_list(*columns))


def editors_can(apps, codename):
    Group = apps.get_model("auth", "Group")
    return Group.objects.filter(name="Editors", permissions__codename=codename).exists()


@pytest.mark.django_db(transaction=True)
def test_both_tables_move_into_one_and_back(make_article, migrated_back_at_the_end):
    first = make_article(slug="first")
    second = make_article(slug="second", title_ru="Второй", body_ru="Текст.")
    old = migrate(BEFORE)
    slug_redirects = old.get_model("articles", "SlugRedirect")
    for old_slug, article, created in [("one", first, CREATED[0]), ("two", second, CREATED[1])]:
        made = slug_redirects.objects.create(old_slug=old_slug, article_id=article.pk)
        slug_redirects.objects.filter(pk=made.pk).update(created_at=created)
    addresses = old.get_model("hugo_import", "OldAddress")
    for values in [
        {"path": "/2019/05/first.html", "article_id": first.pk, "language": "en"},
        # Cyrillic and percent-encoded spellings are kept as they were written.
        {"path": "/ru/статьи/второй/", "article_id": second.pk, "language": "ru"},
        {"path": "/ru/2019/%D0%B2%D1%82%D0%BE%D1%80%D0%BE%D0%B9", "article_id": second.pk,
         "language": "ru"},
        {"path": "/tags/pools/page/3/", "kind": "tag", "slug": "pools", "first_item": 20,
         "language": "en"},
        {"path": "/ru/index.xml", "kind": "feed", "language": "ru"},
    ]:  # fmt: skip
        addresses.objects.create(**values)
    slug_rows = rows(slug_redirects, SLUG_COLUMNS)
    path_rows = rows(addresses, PATH_COLUMNS)
    old.get_model("auth", "Group").objects.get_or_create(name="Editors")
    assert editors_can(old, "change_slugredirect")

    new = migrate(AFTER)
    redirects = new.get_model("articles", "Redirect")
    assert redirects.objects.count() == len(slug_rows) + len(path_rows)
    assert rows(redirects, SLUG_COLUMNS, old_slug__isnull=False) == slug_rows
    kinds = redirects.objects.filter(old_slug__isnull=False).values_list("kind", "language")
    assert set(kinds) == {("article", "")}
    assert rows(redirects, PATH_COLUMNS, path__isnull=False) == path_rows
    assert editors_can(new, "change_redirect")
    assert not editors_can(new, "change_slugredirect")
    tables = connection.introspection.table_names()
    assert "articles_slugredirect" not in tables
    assert "hugo_import_oldaddress" not in tables

    back = migrate(BEFORE)
    assert rows(back.get_model("articles", "SlugRedirect"), SLUG_COLUMNS) == slug_rows
    assert rows(back.get_model("hugo_import", "OldAddress"), PATH_COLUMNS) == path_rows
    assert editors_can(back, "change_slugredirect")
    assert "articles_redirect" not in connection.introspection.table_names()
