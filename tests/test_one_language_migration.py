"""Articles that ran before the languages an article is kept off became a list of codes come
through the migration exactly as they were; a code never matches another code's letters."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from articles.models import Article

BEFORE = [
    ("articles", "0013_cover_size_from_the_image_field"),
    ("series", "0003_i28_series_cover_by_content"),
]
KEPT_OFF = {0: "ru", 1: "en", 2: "en,ru", 3: ""}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def every_row(model):
    return [
        {name: value for name, value in row.items() if name != "hidden_languages"}
        for row in model.objects.order_by("pk").values()
    ]


@pytest.mark.django_db(transaction=True)
def test_every_demo_article_comes_through_the_migration_as_it_was(demo_content):
    old = migrate(BEFORE)
    old_articles = old.get_model("articles", "Article")
    articles = list(old_articles.objects.order_by("pk"))
    assert len(articles) >= 5
    # The demo keeps nothing off an edition: give some articles what editors could have set.
    for number, article in enumerate(articles):
        article.hidden_languages = KEPT_OFF.get(number, "")
        old_articles.objects.filter(pk=article.pk).update(hidden_languages=article.hidden_languages)
    rows_before = every_row(old_articles)
    tags_before = list(old.get_model("articles", "Tag").objects.order_by("pk").values())

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    new_articles = new.get_model("articles", "Article")
    assert every_row(new_articles) == rows_before
    assert list(new.get_model("articles", "Tag").objects.order_by("pk").values()) == tags_before
    kept_off = dict(new_articles.objects.values_list("pk", "hidden_languages"))
    assert [kept_off[article.pk] for article in articles[:4]] == [["ru"], ["en"], ["en", "ru"], []]
    assert all(codes == [] for pk, codes in kept_off.items() if pk not in
               {article.pk for article in articles[:4]})  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_going_back_restores_the_comma_separated_text(make_article):
    make_article(slug="both", hidden_languages=["en", "ru"])
    make_article(slug="none")
    old = migrate(BEFORE)
    stored = dict(
        old.get_model("articles", "Article").objects.values_list("slug", "hidden_languages")
    )
    assert stored == {"both": "en,ru", "none": ""}
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_a_language_code_matches_only_itself(make_article):
    make_article(slug="kept-off-english", hidden_languages=["en"])
    make_article(slug="kept-off-russian", hidden_languages=["ru"])
    assert not Article.objects.filter(hidden_languages__includes="e").exists()
    assert not Article.objects.filter(hidden_languages__includes='"en"').exists()
    assert list(
        Article.objects.filter(hidden_languages__includes="ru").values_list("slug", flat=True)
    ) == ["kept-off-russian"]
    assert list(Article.objects.listed().values_list("slug", flat=True)) == ["kept-off-russian"]


def test_a_revision_from_before_the_change_saves_as_a_list(make_article):
    article = make_article(slug="restored")
    article.hidden_languages = "en,ru"  # as django-reversion would restore an old revision
    article.save()
    article.refresh_from_db()
    assert article.hidden_languages == ["en", "ru"]
