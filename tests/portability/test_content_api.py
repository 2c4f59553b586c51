"""The Content API: public data only, Ghost's shape, a valid OpenAPI document, hostile input
answered 4xx, cached and cross-origin like the pages."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from factories import new_article, new_author, new_series, new_tag

from articles.models import Article, Author


def build_site():
    author = new_author(name="Ada Writer", slug="ada-writer", bio_en="Writes about databases.")
    tag = new_tag(slug="databases", name_en="Databases", name_ru="Базы данных")
    series = new_series(parts=3, slug="guide", title_ru="Руководство", author=author)
    for part in series.parts.all():
        part.article.tags.add(tag)
    first = series.parts.get(position=1).article
    first.title_ru, first.body_ru = "Часть первая", "Русский **текст**."
    first.save()
    hidden = {
        "a-draft": {"status": Article.Status.DRAFT},
        "a-scheduled": {"published_at": timezone.now() + timedelta(days=3)},
        "in-review": {"status": Article.Status.REVIEW},
    }
    for slug, fields in hidden.items():
        new_article(slug=slug, title_en=f"Secret {slug}", author=author, tags=[tag], **fields)
    return series


@pytest.fixture
def site(db, made_once):
    # Made once for the module and copied into each of the hundred tests that read it.
    return made_once("site", build_site)


@pytest.fixture
def author(request, make_author):
    """The site's author where a test has the site (made with it), else a new one."""
    if "site" in request.fixturenames:
        request.getfixturevalue("site")
        return Author.objects.get(slug="ada-writer")
    return make_author(name="Ada Writer", slug="ada-writer", bio_en="Writes about databases.")


def get(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.content[:300])
    return json.loads(response.content) if response.content else None


def test_posts_list_live_posts_newest_first_with_pagination(client, site):
    answer = get(client, "/api/v1/posts/?limit=2")
    assert [post["slug"] for post in answer["posts"]] == ["guide-part-3", "guide-part-2"]
    assert answer["meta"]["pagination"] == {
        "page": 1, "limit": 2, "pages": 2, "total": 3, "next": 2, "prev": None,
    }  # fmt: skip
    second = get(client, "/api/v1/posts/?limit=2&page=2")
    assert [post["slug"] for post in second["posts"]] == ["guide-part-1"]
    assert second["meta"]["pagination"]["prev"] == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/posts/",
        "/api/v1/posts/?lang=ru",
        "/api/v1/posts/?tag=databases&include=tags,authors,series&formats=html,markdown,plaintext",
        "/api/v1/posts/?author=ada-writer",
        "/api/v1/posts/?series=guide",
        "/api/v1/posts/?published_after=2000-01-01",
        "/api/v1/series/?include=posts,count.posts",
        "/api/v1/series/guide/?include=posts",
        "/api/v1/tags/?include=count.posts",
        "/api/v1/authors/?include=count.posts",
    ],
)
def test_nothing_unpublished_ever_appears(client, site, url):
    text = json.dumps(get(client, url))
    for secret in ("Secret", "a-draft", "a-scheduled", "in-review"):
        assert secret not in text


@pytest.mark.parametrize("slug", ["a-draft", "a-scheduled", "in-review"])
def test_an_unpublished_post_is_not_found(client, site, slug):
    assert get(client, f"/api/v1/posts/{slug}/", status=404)["detail"] == "No such post."


def test_an_article_kept_off_a_language_is_not_in_that_edition(client, site):
    article = Article.objects.get(slug="guide-part-2")
    article.hidden_languages = ["ru"]
    article.save()
    russian = get(client, "/api/v1/posts/?lang=ru")
    assert "guide-part-2" not in [post["slug"] for post in russian["posts"]]
    get(client, "/api/v1/posts/guide-part-2/?lang=ru", status=404)
    english = get(client, "/api/v1/posts/")
    assert "guide-part-2" in [post["slug"] for post in english["posts"]]


def test_an_author_or_tag_with_nothing_live_is_not_public(client, make_article, make_tag):
    tag = make_tag(slug="secret-tag")
    draft = make_article(slug="only-draft", status=Article.Status.DRAFT, tags=[tag])
    assert get(client, "/api/v1/tags/")["tags"] == []
    assert get(client, "/api/v1/authors/")["authors"] == []
    get(client, "/api/v1/tags/secret-tag/", status=404)
    get(client, f"/api/v1/authors/{draft.author.slug}/", status=404)


def test_a_scheduled_part_is_not_listed_in_its_series(client, site, make_article, author):
    from series.models import SeriesPart

    later = make_article(
        slug="part-four", title_en="Secret part", published_at=timezone.now() + timedelta(days=1)
    )
    SeriesPart.objects.create(series=site, article=later, position=4)
    answer = get(client, "/api/v1/series/guide/?include=posts,count.posts")
    series = answer["series"][0]
    assert [part["position"] for part in series["posts"]] == [1, 2, 3]
    assert series["count"] == {"posts": 3}


def test_russian_edition_reads_russian_and_says_which_language_the_text_is_in(client, site):
    posts = get(client, "/api/v1/posts/?lang=ru&include=tags&formats=markdown")["posts"]
    first = next(post for post in posts if post["slug"] == "guide-part-1")
    assert first["title"] == "Часть первая"
    assert first["language"] == "ru"
    assert first["markdown"] == "Русский **текст**."
    assert first["url"] == "http://testserver/ru/posts/guide-part-1/"
    assert first["tags"][0]["name"] == "Базы данных"
    untranslated = next(post for post in posts if post["slug"] == "guide-part-2")
    assert untranslated["language"] == "en"
    assert get(client, "/api/v1/series/?lang=ru")["series"][0]["title"] == "Руководство"


def test_fields_include_and_formats_shape_the_answer_as_in_ghost(client, site):
    post = get(client, "/api/v1/posts/guide-part-1/?fields=title,url")["posts"][0]
    assert post == {"title": "Guide part 1", "url": "http://testserver/en/posts/guide-part-1/"}
    full = get(
        client,
        "/api/v1/posts/guide-part-1/?include=authors,tags,series&formats=plaintext,markdown",
    )["posts"][0]
    assert "html" not in full
    assert full["plaintext"].startswith("A guide") or "Body of article" in full["plaintext"]
    assert "<" not in full["plaintext"]
    assert full["markdown"].startswith("## First")
    assert full["primary_author"]["slug"] == "ada-writer"
    assert [author["name"] for author in full["authors"]] == ["Ada Writer"]
    assert [tag["slug"] for tag in full["tags"]] == ["databases"]
    assert full["series"] == {
        "slug": "guide",
        "title": "The guide",
        "url": "http://testserver/en/series/guide/",
        "position": 1,
    }
    plain = get(client, "/api/v1/posts/guide-part-1/")["posts"][0]
    assert "<h2" in plain["html"]
    assert not {"authors", "tags", "series", "markdown", "plaintext"} & set(plain)


def test_filters(client, site, make_article):
    make_article(slug="other-author")
    assert get(client, "/api/v1/posts/?author=ada-writer")["meta"]["pagination"]["total"] == 3
    assert get(client, "/api/v1/posts/?tag=databases")["meta"]["pagination"]["total"] == 3
    assert get(client, "/api/v1/posts/?series=guide")["meta"]["pagination"]["total"] == 3
    assert get(client, "/api/v1/posts/?tag=nothing")["posts"] == []
    newest = Article.objects.get(slug="guide-part-3").published_at
    after = (newest - timedelta(seconds=1)).isoformat()
    answer = get(client, "/api/v1/posts/", data={"published_after": after})
    assert [post["slug"] for post in answer["posts"]] == ["guide-part-3"]


def test_tags_and_authors(client, site):
    tags = get(client, "/api/v1/tags/?include=count.posts")["tags"]
    assert tags == [
        {
            "id": tags[0]["id"],
            "slug": "databases",
            "name": "Databases",
            "url": "http://testserver/en/tags/databases/",
            "count": {"posts": 3},
        }
    ]
    author = get(client, "/api/v1/authors/ada-writer/")["authors"][0]
    assert author["name"] == "Ada Writer"
    assert author["bio"] == "Writes about databases."


HOSTILE = [
    "page=0",
    "page=-1",
    "page=99999999999999999999999999999999",
    "page=" + "9" * 5000,
    "page=1e3",
    "page=abc",
    "page=1.5",
    "page=",
    "limit=0",
    "limit=-5",
    "limit=101",
    "limit=99999999999999999999",
    "limit=all",
    "page=50",
    "lang=xx",
    "lang=",
    "lang=%D1%80%D1%83",
    "fields=nonexistent",
    "fields=title,password",
    "fields=%E2%80%AEtitle",
    "include=drafts",
    "include=../../etc",
    "formats=pdf",
    "formats=html,xml",
    "tag=%D1%82%D0%B5%D0%B3",
    "tag=a%20b",
    "tag=" + "a" * 300,
    "author=%27%3B--",
    "series=%F0%9F%92%A5",
    "published_after=yesterday",
    "published_after=9999-99-99",
    "published_after=0000-01-01",
    "published_after=9999-12-31T23:59:59-23:59",
    "published_after=0001-01-01T00:00:00%2B23:59",
    "published_after=2026-01-01T25:00:00",
    "tag=%00",
    "page=1%00",
    "fields=title%00",
    "limit=%0A1",
]


@pytest.mark.parametrize("query", HOSTILE)
@pytest.mark.parametrize("endpoint", ["/api/v1/posts/", "/api/v1/tags/"])
def test_hostile_query_parameters_get_a_4xx_never_a_5xx(client, live_article_copy, endpoint, query):
    response = client.get(f"{endpoint}?{query}")
    post_filters = {"tag", "author", "series", "published_after"}
    if endpoint.endswith("tags/") and query.split("=")[0] in post_filters:
        # Not a parameter of this endpoint: ignored, unless the address itself is refused.
        assert response.status_code in {200, 400}
        return
    assert 400 <= response.status_code < 500, (query, response.status_code)
    if response["Content-Type"].startswith("application/json"):
        assert "detail" in json.loads(response.content)


@pytest.mark.parametrize("slug", ["%D0%BF%D0%BE%D1%81%D1%82", "x" * 250, "%E2%80%AE", "..%2F.."])
@pytest.mark.parametrize("kind", ["posts", "series", "tags", "authors"])
def test_hostile_slugs_are_not_found(client, live_article_copy, kind, slug):
    assert 400 <= client.get(f"/api/v1/{kind}/{slug}/").status_code < 500


def test_unknown_names_are_explained(client, site):
    answer = get(client, "/api/v1/posts/?fields=title,secret", status=400)
    assert answer["detail"].startswith("Unknown fields: secret. Known: ")


REFUSED = {
    "limit": ["abc", "0", "101", "1.5"],
    "page": ["-1", "0", "x", "1000001"],
    "lang": ["de", "EN", ""],
    "fields": ["Title", "title;drop", "a b"],
    "include": ["Tags!"],
    "formats": ["PDF"],
    "tag": ["a b", "ü" * 3],
    "series": ["../x"],
    "author": ["a b"],
    "published_after": ["2026-13-01", "yesterday"],
}


@pytest.mark.parametrize(
    ("name", "value"), [(name, value) for name, values in REFUSED.items() for value in values]
)
def test_a_refused_parameter_is_named_with_what_it_takes(client, site, name, value):
    answer = get(client, f"/api/v1/posts/?{name}={value}", status=422)
    (problem,) = answer["detail"]
    assert problem["loc"] == ["query", name]
    assert problem["msg"].startswith(f"{name}: expected ")
    # Neither a regular expression nor pydantic's wording reaches the client.
    assert "pattern" not in problem["msg"]
    assert "^" not in json.dumps(answer)
    assert "Input should" not in problem["msg"]


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/nope", "/api/v1/posts/x/y/"])
def test_an_unknown_api_address_answers_json(client, site, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["detail"]


def test_a_hostile_api_address_answers_json_and_a_page_answers_html(client, site):
    api = client.get("/api/v1/posts/?page=1%00")
    assert api.status_code == 400
    assert api["Content-Type"].startswith("application/json")
    assert json.loads(api.content) == {"detail": "The address contains control characters."}
    page = client.get("/en/?page=1%00")
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")


def test_the_openapi_document_is_valid_openapi_3_1(client, site):
    # Imported here: it imports jsonschema, whose format checkers build their grammars on
    # import (a second of CPU), which every xdist worker would pay while collecting.
    from openapi_spec_validator import validate

    document = get(client, "/api/v1/openapi.json")
    assert document["openapi"].startswith("3.1")
    validate(document)
    paths = set(document["paths"])
    assert {"/api/v1/posts/", "/api/v1/series/", "/api/v1/tags/", "/api/v1/authors/"} <= paths
    parameters = {p["name"] for p in document["paths"]["/api/v1/posts/"]["get"]["parameters"]}
    assert {"lang", "page", "limit", "fields", "include", "formats", "tag", "series"} <= parameters
    assert {"author", "published_after"} <= parameters


def test_the_docs_page_loads_nothing_from_another_host(client, site):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content
    assert b"cdn." not in response.content


def test_answers_are_cached_like_pages_and_dropped_on_a_change(
    client, site, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600
    first = client.get("/api/v1/posts/")
    assert first["X-Page-Cache"] == "miss"
    assert client.get("/api/v1/posts/")["X-Page-Cache"] == "hit"
    again = client.get("/api/v1/posts/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    # Committed, as a site makes it: the pages are dropped after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.get(slug="guide-part-3").unpublish()
    fresh = client.get("/api/v1/posts/")
    assert fresh["X-Page-Cache"] == "miss"
    assert json.loads(fresh.content)["meta"]["pagination"]["total"] == 2


def test_no_copy_outlives_the_next_scheduled_post(client, site, settings):
    settings.PAGE_CACHE_SECONDS = settings.SHARED_CACHE_SECONDS = 10 * 24 * 3600
    control = client.get("/api/v1/posts/")["Cache-Control"]
    shared = int(control.split("s-maxage=")[1].split(",")[0])
    # The scheduled post goes live in three days.
    assert 0 < shared <= 3 * 24 * 3600


def test_any_site_may_read_it_from_a_browser(client, site):
    response = client.get("/api/v1/posts/", HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/posts/",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    # Pages are not part of it.
    page = client.get("/en/", HTTP_ORIGIN="https://elsewhere.example")
    assert not page.has_header("Access-Control-Allow-Origin")


@pytest.mark.parametrize("kind", ["posts", "series", "tags", "authors"])
def test_head_answers_like_get(client, site, kind):
    got = client.get(f"/api/v1/{kind}/")
    head = client.head(f"/api/v1/{kind}/")
    assert head.status_code == 200
    assert head["ETag"] == got["ETag"]
    assert head.content == b""


def test_writing_is_not_possible(client, site):
    for method in (client.post, client.put, client.delete, client.patch):
        assert method("/api/v1/posts/").status_code == 405


def test_a_list_costs_the_same_queries_for_3_and_30_posts(client, site, make_article, author):
    url = "/api/v1/posts/?include=authors,tags,series&limit=100"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(27):
        make_article(slug=f"more-{number}", author=author)
    with CaptureQueriesContext(connection) as many:
        assert len(get(client, url)["posts"]) == 30
    assert len(many) == len(few)
