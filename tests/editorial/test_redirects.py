"""One redirect table (articles.Redirect) answered in one place (blogsite/redirects.py): an
article's old slugs and an imported site's old paths, side by side."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Redirect

pytestmark = [pytest.mark.django_db, pytest.mark.template_context]
CHANGELIST = "/admin/articles/redirect/"


def test_an_old_slug_costs_what_its_404_costs(client, live_article):
    live_article.slug = "pool-sizing-guide"
    live_article.save()
    client.get("/en/posts/warm-up/")
    with CaptureQueriesContext(connection) as moved:
        assert client.get("/en/posts/pool-sizing/").status_code == 301
    Redirect.objects.all().delete()
    with CaptureQueriesContext(connection) as missing:
        assert client.get("/en/posts/pool-sizing/").status_code == 404
    # The article's page finds nothing, then one look-up in the one table answers.
    assert len(moved) == len(missing)
    assert "articles_redirect" in moved.captured_queries[-1]["sql"]


def test_a_found_page_never_asks_for_a_redirect(client, live_article):
    client.get("/en/posts/pool-sizing/")
    with CaptureQueriesContext(connection) as page:
        assert client.get("/en/posts/pool-sizing/?again").status_code == 200
    assert not any("articles_redirect" in query["sql"] for query in page.captured_queries)


def test_an_old_slug_held_by_a_live_article_of_another_edition_is_its_404(
    client, live_article, make_article
):
    live_article.slug = "renamed"
    live_article.save()
    # English only and kept off the Russian edition: its own page says so with a 404.
    make_article(title_en="Newcomer", slug="pool-sizing", hidden_languages=["ru"])
    response = client.get("/ru/posts/pool-sizing/")
    assert response.status_code == 404
    assert client.get("/en/posts/pool-sizing/").status_code == 200


def test_an_old_slug_wins_over_an_imported_path_of_the_same_address(client, live_article):
    other = Article.objects.create(
        title_en="Other", slug="other", status=Article.Status.PUBLISHED, author=live_article.author
    )
    live_article.slug = "renamed"
    live_article.save()
    Redirect.objects.create(path="/en/posts/pool-sizing/", article=other, language="en")
    assert client.get("/en/posts/pool-sizing/")["Location"] == "/en/posts/renamed/"


def test_deleting_the_article_takes_its_redirects_with_it(client, live_article):
    live_article.slug = "renamed"
    live_article.save()
    Redirect.objects.create(path="/2019/05/pool/", article=live_article, language="en")
    live_article.delete()
    assert not Redirect.objects.exists()
    assert client.get("/2019/05/pool/").status_code == 404


def test_editors_manage_every_redirect_in_one_list(editor_client, live_article):
    live_article.slug = "renamed"
    live_article.save()
    Redirect.objects.create(path="/2019/05/pool/", article=live_article, language="en")
    page = editor_client.get(CHANGELIST).content.decode()
    assert "/en/posts/pool-sizing/" in page
    assert "/2019/05/pool/" in page
    found = editor_client.get(CHANGELIST, {"q": "pool-sizing"}).content.decode()
    assert "/2019/05/pool/" not in found
    response = editor_client.post(
        f"{CHANGELIST}add/",
        {"path": "/old/pool.html", "language": "ru", "kind": "article",
         "article": live_article.pk, "slug": "", "first_item": 0},
    )  # fmt: skip
    assert response.status_code == 302
    assert editor_client.get("/old/pool.html")["Location"] == "/ru/posts/renamed/"


@pytest.mark.parametrize(
    ("form", "field"),
    [
        # Both kinds at once, or neither.
        ({"old_slug": "x", "path": "/x/", "language": "en"}, "__all__"),
        ({"old_slug": "", "path": "", "language": ""}, "__all__"),
        # An old path needs its language; an old slug has none.
        ({"old_slug": "", "path": "/x/", "language": ""}, "__all__"),
        ({"old_slug": "x", "path": "", "language": "en"}, "__all__"),
        ({"old_slug": "", "path": "no-slash", "language": "en"}, "path"),
        ({"old_slug": "not a slug!", "path": "", "language": ""}, "old_slug"),
        ({"old_slug": "x", "path": "", "language": "xx"}, "language"),
        # The article's own slug would send it to itself.
        ({"old_slug": "pool-sizing", "path": "", "language": ""}, "old_slug"),
    ],
)
def test_a_bad_redirect_is_a_form_error(admin_client, live_article, form, field):
    data = {"kind": "article", "article": live_article.pk, "slug": "", "first_item": 0, **form}
    response = admin_client.post(f"{CHANGELIST}add/", data)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Redirect.objects.exists()


def test_a_list_redirect_with_an_article_is_a_form_error(admin_client, live_article):
    data = {"path": "/tags/x/", "language": "en", "kind": "tag", "article": live_article.pk,
            "slug": "x", "first_item": 0}  # fmt: skip
    response = admin_client.post(f"{CHANGELIST}add/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Redirect.objects.exists()
