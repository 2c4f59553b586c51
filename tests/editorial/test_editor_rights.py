"""«Editors» order series parts, create series and change the site settings; «Authors» cannot."""

import pytest
from django.contrib.auth.models import Group

from series.models import Series
from sitewide.models import SiteSettings

SERIES_ADD = "/admin/series/series/add/"
SITE_SETTINGS = "/admin/sitewide/sitesettings/1/change/"


def series_form(articles, slug="pooling"):
    data = {
        "title_en": "Connection pooling",
        "slug": slug,
        "intro_en": "Three parts.",
        "parts-TOTAL_FORMS": str(len(articles)),
        "parts-INITIAL_FORMS": "0",
        "parts-MIN_NUM_FORMS": "0",
        "parts-MAX_NUM_FORMS": "1000",
    }
    for index, (article, position) in enumerate(articles):
        data[f"parts-{index}-article"] = str(article.pk)
        data[f"parts-{index}-position"] = str(position)
    return data


def settings_form(name):
    return {
        "name_en": name,
        "tagline_en": "Tagline.",
        "newsletter_heading_en": "Heading",
        "newsletter_pitch_en": "Pitch.",
    }


def test_editors_group_has_the_series_and_settings_rights(editorial_groups):
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    authors = set(Group.objects.get(name="Authors").permissions.values_list("codename", flat=True))
    rights = {"add_series", "change_series", "add_seriespart", "change_sitesettings"}
    assert rights <= editors
    assert not rights & authors


def test_editor_creates_a_series_and_orders_its_parts(editor_client, make_article):
    first, second = make_article(slug="first"), make_article(slug="second")
    assert editor_client.get(SERIES_ADD).status_code == 200
    response = editor_client.post(SERIES_ADD, series_form([(first, 2), (second, 1)]))
    assert response.status_code == 302, response.content.decode()[:2000]
    series = Series.objects.get(slug="pooling")
    assert list(series.parts.values_list("article__slug", "position")) == [
        ("second", 1),
        ("first", 2),
    ]


def test_editor_changes_the_site_settings(editor_client, client):
    SiteSettings.load()
    assert editor_client.get(SITE_SETTINGS).status_code == 200
    response = editor_client.post(SITE_SETTINGS, settings_form("Pool notes"))
    assert response.status_code == 302
    assert SiteSettings.load().name_en == "Pool notes"
    assert "Pool notes" in client.get("/en/").content.decode()


@pytest.mark.parametrize("url", [SERIES_ADD, "/admin/series/series/", SITE_SETTINGS])
def test_author_may_not_open_series_or_settings(writer_client, url):
    SiteSettings.load()
    assert writer_client.get(url).status_code == 403


def test_author_may_not_create_a_series_or_change_settings(writer_client, make_article):
    SiteSettings.load()
    article = make_article()
    assert writer_client.post(SERIES_ADD, series_form([(article, 1)])).status_code == 403
    assert writer_client.post(SITE_SETTINGS, settings_form("Taken over")).status_code == 403
    assert not Series.objects.exists()
    assert SiteSettings.load().name_en == "Engineering insights"


def test_author_may_not_reorder_an_existing_series(writer_client, make_series):
    series = make_series(parts=2)
    response = writer_client.get(f"/admin/series/series/{series.pk}/change/")
    assert response.status_code == 403
