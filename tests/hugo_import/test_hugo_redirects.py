"""Every old Hugo address answers 301 to the new page, once that page is live."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Redirect

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/posts/monolith-part-1/", "/en/posts/monolith-part-1/"),
        ("/posts/monolith-part-2/", "/en/posts/monolith-part-2/"),
        # permalinks: radar = "/radar/:year/:month/:day/:slug/"
        ("/radar/2026/04/17/tech-radar-2026-04-17/", "/en/posts/tech-radar-2026-04-17/"),
        ("/en/radar/2026/04/17/tech-radar-2026-04-17/", "/en/posts/tech-radar-2026-04-17/"),
        # aliases, absolute and relative, with and without the slash and the language
        ("/2026/02/network-hops/", "/en/posts/monolith-part-1/"),
        ("/en/2026/02/network-hops/", "/en/posts/monolith-part-1/"),
        ("/radar/ci-budgets", "/en/posts/tech-radar-2026-04-17/"),
        ("/radar/2026/04/17/ci-pipelines-budget/", "/en/posts/tech-radar-2026-04-17/"),
        ("/radar/ci-budgets/index.html", "/en/posts/tech-radar-2026-04-17/"),
        ("/RADAR/CI-Budgets/", "/en/posts/tech-radar-2026-04-17/"),
        # translations keep their language
        ("/ru/posts/monolit-chast-0/", "/ru/posts/monolith-part-0/"),
        ("/ru/posts/gibridnaya-arhitektura/", "/ru/posts/hybrid-slm/"),
    ],
)
def test_old_addresses_answer_301_to_the_new_page(client, report, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(new).status_code == 200


@pytest.mark.parametrize("old", ["/2019/05/never-existed/", "/radar/ci-budgets-2/"])
def test_an_unknown_old_address_is_still_404(client, report, old):
    assert client.get(old, follow=True).status_code == 404


@pytest.mark.parametrize("old", ["/drafts/observability/", "/soon/platform-teams/"])
def test_no_redirect_points_at_a_draft_or_scheduled_article(client, report, old):
    assert client.get(old).status_code == 404


def test_a_scheduled_article_redirects_once_it_is_live(client, report):
    Article.objects.filter(slug="future-post").update(
        published_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get("/soon/platform-teams/")
    assert response.status_code == 301
    assert response["Location"] == "/en/posts/future-post/"


def test_the_new_address_is_never_its_own_redirect(report):
    assert not Redirect.objects.filter(path="/en/posts/monolith-part-1/").exists()
    assert Redirect.objects.filter(path="/posts/monolith-part-1/").exists()


def test_a_page_that_exists_is_never_redirected(client, report):
    assert client.get("/en/posts/monolith-part-1/").status_code == 200


def test_editors_see_the_old_addresses_in_the_admin(admin_client, report):
    response = admin_client.get("/admin/articles/redirect/?q=network-hops")
    assert response.status_code == 200
    assert "/2026/02/network-hops/" in response.content.decode()
    russian = admin_client.get("/admin/articles/redirect/", headers={"accept-language": "ru"})
    assert "Выберите перенаправление для изменения" in russian.content.decode()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/index.xml", "/en/feed/"),
        ("/ru/index.xml", "/ru/feed/"),
        ("/posts/index.xml", "/en/feed/"),
        ("/tags/finops/", "/en/tags/finops/"),
        ("/categories/case-study/", "/en/tags/case-study/"),
        ("/ru/tags/finops/index.xml", "/ru/tags/finops/feed/"),
        (
            "/series/from-microservices-back-to-a-monolith/",
            "/en/series/from-microservices-back-to-a-monolith/",
        ),
        (
            "/series/from-microservices-back-to-a-monolith/index.xml",
            "/en/series/from-microservices-back-to-a-monolith/feed/",
        ),
    ],
)
def test_hugo_list_pages_and_feeds_answer_301(client, report, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(new).status_code == 200


@pytest.mark.parametrize(
    "old", ["/tags/no-such-tag/", "/series/no-such-series/", "/fr/index.xml", "/a/b/index.xml"]
)
def test_unknown_list_pages_are_still_404(client, report, old):
    assert client.get(old, follow=True).status_code == 404


def test_an_old_address_costs_the_404_page_and_one_query(client, report):
    client.get("/warm/the/cache/")
    with CaptureQueriesContext(connection) as not_found:
        assert client.get("/2019/05/never-existed/").status_code == 404
    with CaptureQueriesContext(connection) as moved:
        assert client.get("/2026/02/network-hops/").status_code == 301
    # Both render the 404 page first (the fallback runs on its response), then look up once.
    assert len(moved) == len(not_found)
    assert "articles_redirect" in moved.captured_queries[-1]["sql"]
