"""The admin takes an article, tag or series written in one language only, asks for at least one,
and opens the writing desk in the language the author writes in."""

import json
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from articles.models import Article, Tag
from series.models import Series

LANGUAGES = [code for code, _name in settings.LANGUAGES]
DEFAULT = settings.LANGUAGE_CODE
OTHER = next(code for code in LANGUAGES if code != DEFAULT)


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw-12345!")
    client.force_login(user)
    client.user = user
    return client


def only_in(language, **extra):
    """A new article's form, filled in one language."""
    return {
        f"title_{language}": "Только по-русски",
        f"summary_{language}": "Коротко.",
        f"body_{language}": "## Раз\n\nТекст.",
        "slug": "tolko-po-russki",
        "status": "draft",
        **extra,
    }


def test_an_article_with_only_the_other_language_filled_in_is_saved(staff_client, author):
    response = staff_client.post("/admin/articles/article/add/", only_in(OTHER, author=author.pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug="tolko-po-russki")
    assert article.languages == [OTHER]
    assert getattr(article, f"title_{DEFAULT}") in ("", None)
    assert "Текст." in getattr(article, f"body_html_{OTHER}")


def test_an_article_needs_a_title_in_at_least_one_language(staff_client, author):
    data = only_in(OTHER, author=author.pk)
    data[f"title_{OTHER}"] = ""
    response = staff_client.post("/admin/articles/article/add/", data)
    assert response.status_code == 200
    assert "Give the article a title in at least one language." in response.content.decode()
    assert not Article.objects.exists()


def field_errors(page, field):
    """The messages the admin shows beside `field`."""
    row = re.search(rf'<div class="form-row[^"]*field-{field}">(.*?)<div>', page, re.S)
    return re.findall(r"<li>(.*?)</li>", row.group(1))


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\ufffe"], ids=repr)
@pytest.mark.parametrize(
    ("address", "field", "data"),
    [
        ("/admin/articles/article/add/", "title", {"slug": "bell", "status": "draft", "body": "x"}),
        ("/admin/articles/tag/add/", "name", {"slug": "bell"}),
    ],
    ids=["article", "tag"],
)
def test_a_refused_title_has_its_own_error_alone_on_its_own_tab(
    staff_client, author, character, address, field, data
):
    # Refused by the form, the title is missing for the model's check: "at least one
    # language" came on top, on every language's field, and the admin opened the wrong tab.
    post = {**data, f"{field}_{OTHER}": f"Bell{character}title", "author": author.pk}
    if "body" in post:
        post[f"body_{OTHER}"] = post.pop("body")
    page = staff_client.post(address, post).content.decode()
    [own] = field_errors(page, f"{field}_{OTHER}")
    assert "control character" in own
    assert field_errors(page, f"{field}_{DEFAULT}") == []
    assert "in at least one language" not in page


def test_the_models_other_errors_stay_beside_a_refused_field(staff_client, author):
    # The body refused in one language: the image without a description in the other is
    # still said, and so is a title missing in every language.
    post = {
        "slug": "two-errors", "status": "draft", "author": author.pk,
        f"body_{OTHER}": "Bell\x07text", f"body_{DEFAULT}": "![](picture.png)",
    }  # fmt: skip
    titled = {**post, f"title_{DEFAULT}": "Two errors"}
    page = staff_client.post("/admin/articles/article/add/", titled).content.decode()
    assert "control character" in " ".join(field_errors(page, f"body_{OTHER}"))
    assert "description for screen readers" in " ".join(field_errors(page, f"body_{DEFAULT}"))
    page = staff_client.post("/admin/articles/article/add/", post).content.decode()
    for code in LANGUAGES:
        assert "in at least one language" in " ".join(field_errors(page, f"title_{code}"))


def test_a_tag_and_a_series_may_be_named_in_one_language(staff_client):
    response = staff_client.post(
        "/admin/articles/tag/add/", {f"name_{OTHER}": "Базы", "slug": "bazy"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Tag.objects.get(slug="bazy").name == "Базы"
    response = staff_client.post(
        "/admin/series/series/add/",
        {f"title_{OTHER}": "Серия", "slug": "seriya", "parts-TOTAL_FORMS": "0",
         "parts-INITIAL_FORMS": "0", "parts-MIN_NUM_FORMS": "0", "parts-MAX_NUM_FORMS": "1000"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Series.objects.get(slug="seriya").title == "Серия"


def test_a_tag_with_no_name_in_any_language_is_refused(staff_client):
    response = staff_client.post("/admin/articles/tag/add/", {"slug": "nameless"})
    assert response.status_code == 200
    assert "Name the tag in at least one language." in response.content.decode()
    assert not Tag.objects.exists()


def desk(page):
    """(the language the desk opens in, the title field the slug follows)"""
    language = re.search(r'id="writing-language" data-language="([^"]*)"', page).group(1)
    constants = re.search(r'data-prepopulated-fields="([^"]*)"', page).group(1)
    fields = json.loads(constants.replace("&quot;", '"'))
    return language, fields[0]["dependency_ids"]


def test_the_desk_opens_in_the_language_of_the_authors_profile(staff_client, make_author):
    make_author(user=staff_client.user, language=OTHER)
    page = staff_client.get("/admin/articles/article/add/").content.decode()
    assert desk(page) == (OTHER, [f"#id_title_{OTHER}"])


@pytest.mark.parametrize("admin_language", LANGUAGES)
def test_without_a_profile_language_the_desk_opens_in_the_admins(staff_client, admin_language):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = admin_language
    page = staff_client.get("/admin/articles/article/add/").content.decode()
    assert desk(page) == (admin_language, [f"#id_title_{admin_language}"])


def test_an_article_in_one_language_opens_in_that_language(staff_client, make_article):
    article = make_article(**{f"title_{DEFAULT}": "", f"title_{OTHER}": "Статья",
                              f"body_{DEFAULT}": "", f"body_{OTHER}": "Текст."})  # fmt: skip
    page = staff_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert desk(page)[0] == OTHER


def test_editors_find_the_articles_missing_the_default_language(staff_client, make_article):
    make_article(slug="both", **{f"title_{OTHER}": "Обе", f"body_{OTHER}": "Текст."})
    only_other = {f"title_{DEFAULT}": "", f"body_{DEFAULT}": ""}
    only_other |= {f"title_{OTHER}": "Только", f"body_{OTHER}": "Текст."}
    make_article(slug="other-only", **only_other)
    listing = staff_client.get("/admin/articles/article/").content.decode()
    assert f"?translation=-{DEFAULT}" in listing  # offered, as for every other language
    page = staff_client.get(f"/admin/articles/article/?translation=-{DEFAULT}").content.decode()
    assert "Только" in page
    assert "Обе" not in page


def test_an_article_in_one_language_has_no_translation_to_follow(staff_client, make_article):
    article = make_article(**{f"title_{DEFAULT}": "", f"body_{DEFAULT}": "",
                              f"title_{OTHER}": "Статья", f"body_{OTHER}": "Текст."})  # fmt: skip
    page = staff_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "Written in one language: there is no translation to follow." in page


@pytest.mark.parametrize("path", ["/admin/articles/tag/add/", "/admin/series/series/add/"])
def test_a_tag_or_series_slug_follows_the_name_in_the_admins_language(staff_client, path):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = OTHER
    page = staff_client.get(path).content.decode()
    constants = re.search(r'data-prepopulated-fields="([^"]*)"', page).group(1)
    [field] = json.loads(constants.replace("&quot;", '"'))
    assert field["dependency_ids"][0].endswith(f"_{OTHER}")
