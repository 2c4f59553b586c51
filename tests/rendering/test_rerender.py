"""`manage.py rerender`: every stored article and series intro rendered again, with a report."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from articles.models import Article
from articles.rendering import RENDERER_VERSION


def rerender(*args):
    out = io.StringIO()
    call_command("rerender", *args, stdout=out)
    return out.getvalue()


def test_rerender_reports_the_articles_and_languages_whose_html_changed(make_article, make_series):
    unchanged = make_article(slug="unchanged")
    stale = make_article(slug="stale", body_en="- a\n  - b", body_ru="## Заголовок {#z}")
    # What the old renderer stored: a flat list and the literal attribute in the heading.
    Article.objects.filter(pk=stale.pk).update(
        body_html_en="<ul><li>a</li><li>b</li></ul>",
        body_html_ru='<h2 id="заголовок-z">Заголовок {#z}</h2>',
        renderer_version=1,
    )
    series = make_series(parts=1)
    type(series).objects.filter(pk=series.pk).update(intro_html_en="<p>old</p>")

    report = rerender()

    assert "Rendered 3 articles with renderer version" in report
    assert "1 changed." in report
    assert "changed: article stale (en, ru)" in report
    assert "unchanged" not in report
    assert f"changed: series {series.slug} (en)" in report
    stale.refresh_from_db()
    assert "<ul>\n<li>b</li>" in stale.body_html_en
    assert '<h2 id="z">Заголовок</h2>' in stale.body_html_ru
    assert stale.renderer_version == RENDERER_VERSION
    assert Article.objects.get(pk=unchanged.pk).body_html_en == unchanged.body_html_en
    assert "changed: " not in rerender()  # a second run finds nothing to change


def test_if_outdated_runs_only_after_the_renderer_changed(make_article):
    article = make_article()
    assert "Every article is rendered by renderer version" in rerender("--if-outdated")
    Article.objects.filter(pk=article.pk).update(renderer_version=RENDERER_VERSION - 1)
    assert "Rendered 1 articles" in rerender("--if-outdated")
    assert not Article.rendered_by_an_older_renderer()


@pytest.mark.related_reading
def test_a_rerender_invalidates_the_pages_but_ranks_no_related_reading_again(
    make_article, events, monkeypatch, django_capture_on_commit_callbacks
):
    from articles import related

    article = make_article(slug="stale", body_en="- a\n  - b")
    Article.objects.filter(pk=article.pk).update(body_html_en="<ul><li>a</li><li>b</li></ul>")
    ranked = []
    monkeypatch.setattr(related, "refresh", lambda pks: ranked.append(pks) or [])
    events.clear()

    with django_capture_on_commit_callbacks(execute=True):  # what follows the change runs
        rerender()

    (keys,) = events
    assert f"article:{article.pk}" in keys  # its pages are rendered again
    assert ranked == []  # the ranking reads no HTML: nothing to rank again


def test_a_rendering_only_change_is_never_merged_with_another_in_its_transaction(
    db, events, django_capture_on_commit_callbacks
):
    from sitewide import changes

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        changes.changed_only_in_rendering("article:2")
        changes.changed("article:1")
        changes.changed("tag-list:3")
    # The article and tag change is not said to be a rendering's alone.
    assert sorted(map(sorted, events)) == [
        ["article:1", "tag-list:3"],
        ["article:2", changes.RENDERING_ONLY],
    ]
