import json
from datetime import timedelta

import pytest
from django.utils import timezone

ACTIVITY = "application/activity+json"
LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


@pytest.fixture
def article(make_article):
    return make_article(
        title_en="Connection pools", slug="pools", published_at=timezone.now() - timedelta(hours=1)
    )


@pytest.fixture(params=[0, 600], ids=["uncached", "page-cache"])
def page_cache(request, settings):
    settings.PAGE_CACHE_SECONDS = request.param


@pytest.mark.parametrize("accept", [ACTIVITY, LD])
def test_article_address_answers_the_object_to_activitypub_clients(
    client, article, blog, page_cache, accept
):
    for _round in range(2):  # the second time from the page cache, when it is on
        response = client.get("/en/posts/pools/", HTTP_ACCEPT=accept)
        assert response.status_code == 200
        assert response["Content-Type"] == ACTIVITY
        document = json.loads(response.content)
        assert document["id"] == f"http://testserver/federation/objects/en/{article.pk}"
        assert document["url"] == "http://testserver/en/posts/pools/"
        html = client.get("/en/posts/pools/", HTTP_ACCEPT="text/html")
        assert html["Content-Type"].startswith("text/html")
        assert b"<h1" in html.content
        assert "Accept" in html["Vary"]


def test_html_cached_first_is_not_answered_to_activitypub(client, article, blog, settings):
    settings.PAGE_CACHE_SECONDS = 600
    assert client.get("/en/posts/pools/").status_code == 200
    assert client.get("/en/posts/pools/")["X-Page-Cache"] == "hit"
    response = client.get("/en/posts/pools/", HTTP_ACCEPT=ACTIVITY)
    assert response["Content-Type"] == ACTIVITY


def test_object_of_a_draft_or_unknown_article_is_not_found(client, draft_article, blog):
    response = client.get("/en/posts/draft/", HTTP_ACCEPT=ACTIVITY)
    assert response.status_code == 404
    response = client.get(f"/federation/objects/en/{draft_article.pk}", HTTP_ACCEPT=ACTIVITY)
    assert response.status_code == 410


def test_article_page_links_the_edition_account(client, article, blog):
    page = client.get("/en/posts/pools/").content.decode()
    assert '<link rel="me" href="http://testserver/federation/actors/blog">' in page
    assert '<meta name="fediverse:creator" content="@blog@testserver">' in page
    russian = client.get("/ru/posts/pools/").content.decode()
    assert "@blog_ru@testserver" in russian


def test_outbox_lists_what_followers_were_sent(client, article, blog):
    from federation import publishing

    class Queue:
        def deliver(self, *args):
            pass

        sweep = federate = deliver

    publishing.federate(article.pk, Queue())
    outbox = json.loads(client.get(blog.outbox_uri, HTTP_ACCEPT=ACTIVITY).content)
    assert outbox["totalItems"] == 1
    assert outbox["orderedItems"][0]["object"]["url"] == "http://testserver/en/posts/pools/"


def test_outbox_lists_old_articles_too_in_the_editions_that_carry_them(
    client, blog, make_article, settings
):
    # Published long before it could be sent (an import): not pushed into timelines, but on
    # the account's profile like any other post. English only: not in the Russian outbox.
    from federation import publishing
    from federation.models import Actor

    class Queue:
        def deliver(self, *args):
            pass

        sweep = federate = deliver

    old = make_article(slug="old", published_at=timezone.now() - timedelta(days=400))
    hidden = make_article(slug="hidden", published_at=timezone.now() - timedelta(days=400))
    hidden.hidden_languages = ["en"]
    hidden.save()
    for article in (old, hidden):
        publishing.federate(article.pk, Queue())
    outbox = json.loads(client.get(blog.outbox_uri, HTTP_ACCEPT=ACTIVITY).content)
    assert outbox["totalItems"] == 1
    assert outbox["orderedItems"][0]["object"]["url"] == "http://testserver/en/posts/old/"
    russian = Actor.objects.get(language="ru")
    outbox = json.loads(client.get(russian.outbox_uri, HTTP_ACCEPT=ACTIVITY).content)
    assert outbox["totalItems"] == 0
