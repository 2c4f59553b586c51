import json

import pytest

from federation.models import Actor


def test_webfinger_finds_each_edition_on_the_site_url_host_with_its_port(client, settings, db):
    settings.SITE_URL = "http://127.0.0.1:8000"
    for username in ("blog", "blog_ru"):
        response = client.get(
            "/.well-known/webfinger", {"resource": f"acct:{username}@127.0.0.1:8000"}
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/jrd+json"
        document = response.json()
        assert document["subject"] == f"acct:{username}@127.0.0.1:8000"
        self_link = next(link for link in document["links"] if link["rel"] == "self")
        assert self_link == {
            "rel": "self",
            "type": "application/activity+json",
            "href": f"http://127.0.0.1:8000/federation/actors/{username}",
        }


@pytest.mark.parametrize(
    "resource",
    [
        "acct:BLOG_RU@127.0.0.1:8000",
        "blog_ru@127.0.0.1:8000",
        "ACCT:Blog_Ru@127.0.0.1:8000",
        "http://127.0.0.1:8000/federation/actors/blog_ru",
    ],
)
def test_webfinger_takes_the_account_as_people_and_servers_write_it(client, settings, db, resource):
    settings.SITE_URL = "http://127.0.0.1:8000"
    response = client.get("/.well-known/webfinger", {"resource": resource})
    assert response.status_code == 200, resource
    assert response.json()["subject"] == "acct:blog_ru@127.0.0.1:8000"


@pytest.mark.parametrize(
    "resource",
    [
        "acct:blog@elsewhere.example",
        "acct:nobody@testserver",
        "https://x.example/a",
        "acct:blog@testserver.evil",
        "blog",
        "acct:",
    ],
)
def test_webfinger_answers_404_for_accounts_that_are_not_ours(client, db, resource):
    assert client.get("/.well-known/webfinger", {"resource": resource}).status_code == 404


def test_webfinger_without_resource_is_a_bad_request(client, db):
    assert client.get("/.well-known/webfinger").status_code == 400


def test_actor_document_has_the_public_key_and_the_inboxes(client, blog):
    response = client.get(blog.uri, HTTP_ACCEPT="application/activity+json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/activity+json"
    document = json.loads(response.content)
    assert document["id"] == "http://testserver/federation/actors/blog"
    assert document["type"] == "Service"
    assert document["preferredUsername"] == "blog"
    assert document["inbox"] == "http://testserver/federation/actors/blog/inbox"
    assert document["endpoints"]["sharedInbox"] == "http://testserver/federation/inbox"
    assert document["followers"].endswith("/followers")
    assert document["publicKey"]["id"] == "http://testserver/federation/actors/blog#main-key"
    assert document["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert document["url"] == "http://testserver/en/"


def test_keys_are_made_once_and_kept(actors):
    again = {actor.language: actor.public_key_pem for actor in Actor.objects.ensure()}
    assert again == {language: actor.public_key_pem for language, actor in actors.items()}
    assert actors["en"].public_key_pem != actors["ru"].public_key_pem


def test_russian_edition_is_its_own_account(client, actors):
    document = json.loads(
        client.get(actors["ru"].uri, HTTP_ACCEPT="application/activity+json").content
    )
    assert document["preferredUsername"] == "blog_ru"
    assert document["url"] == "http://testserver/ru/"


def test_actor_address_opened_in_a_browser_leads_to_the_edition_home(client, actors):
    response = client.get(actors["ru"].uri, HTTP_ACCEPT="text/html")
    assert response.status_code == 302
    assert response["Location"] == "/ru/"


def test_host_meta_and_nodeinfo(client, db):
    host_meta = client.get("/.well-known/host-meta")
    assert b"http://testserver/.well-known/webfinger?resource={uri}" in host_meta.content
    links = client.get("/.well-known/nodeinfo").json()["links"]
    nodeinfo = client.get(links[0]["href"].removeprefix("http://testserver")).json()
    assert nodeinfo["protocols"] == ["activitypub"]
    assert nodeinfo["openRegistrations"] is False


def test_followers_collection_shows_the_count_not_the_addresses(client, blog):
    document = json.loads(
        client.get(blog.followers_uri, HTTP_ACCEPT="application/activity+json").content
    )
    assert document == {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": blog.followers_uri,
        "type": "OrderedCollection",
        "totalItems": 0,
    }
