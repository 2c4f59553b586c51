import json
from datetime import UTC, datetime, timedelta

import pytest

from federation.models import Actor, Block, Follower, Reaction, ReceivedActivity, RemoteActor, Reply
from federation.remote import ForbiddenAddressError, check_address


@pytest.fixture
def article(make_article):
    return make_article(title_en="Connection pools", slug="pools")


@pytest.fixture
def alice(remote_server):
    return remote_server().account("alice")


def reply_to(account, article, text="<p>Nice write-up!</p>", **extra):
    note = {
        "id": f"{account.uri}/statuses/{article.pk}-{len(text)}",
        "type": "Note",
        "attributedTo": account.uri,
        "inReplyTo": f"http://testserver/federation/objects/en/{article.pk}",
        "content": text,
        "published": "2026-12-01T10:00:00Z",
        "url": f"{account.server.url}/@{account.name}/1",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    } | extra
    return account.activity("Create", note)


def test_reply_is_held_for_moderation_then_shown_sanitized(
    client, alice, article, post_inbox, admin_client, committed
):
    text = '<p>Nice!</p><script>alert(1)</script><img src=x onerror="alert(2)">'
    assert post_inbox(alice, reply_to(alice, article, text)).status_code == 202
    reply = Reply.objects.get()
    assert reply.status == Reply.Status.PENDING
    assert "Nice!" not in client.get("/en/posts/pools/").content.decode()

    with committed():  # the replies kept for pages are read again once the approval commits
        response = admin_client.post(
            "/admin/federation/reply/",
            {"action": "approve", "_selected_action": [reply.pk]},
        )
    assert response.status_code == 302
    page = client.get("/en/posts/pools/").content.decode()
    assert "<p>Nice!</p>" in page
    assert "@alice@127.0.0.1" in page
    assert "alert(" not in page


def test_approval_reaches_a_cached_page(
    client, alice, article, post_inbox, admin_client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600
    post_inbox(alice, reply_to(alice, article, "<p>Cached?</p>"))
    assert "Cached?" not in client.get("/en/posts/pools/").content.decode()
    # Committed, as outside a test: the change's consumers run after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/federation/reply/",
            {"action": "approve", "_selected_action": [Reply.objects.get().pk]},
        )
    assert "Cached?" in client.get("/en/posts/pools/").content.decode()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Committed, as outside a test: the change's consumers run after the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def cached_pages(client, make_article, settings):
    """The article's page and another article's, both cached."""
    settings.PAGE_CACHE_SECONDS = 600
    make_article(title_en="Grid layouts", slug="grid")
    pages = ["/en/posts/pools/", "/en/posts/grid/"]
    for url in pages:
        client.get(url)
    assert [client.get(url)["X-Page-Cache"] for url in pages] == ["hit", "hit"]
    return pages


def test_what_happens_to_a_reply_reaches_its_articles_page_only(
    client, alice, article, post_inbox, admin_client, cached_pages, committed
):
    pools, grid = cached_pages
    created = reply_to(alice, article, "<p>Shown at once</p>")
    post_inbox(alice, created)
    with committed():
        admin_client.post(
            "/admin/federation/reply/",
            {"action": "approve", "_selected_action": [Reply.objects.get().pk]},
        )
    shown = client.get(pools)
    assert shown["X-Page-Cache"] == "miss"
    assert "Shown at once" in shown.content.decode()
    assert client.get(grid)["X-Page-Cache"] == "hit"

    with committed():
        post_inbox(alice, alice.activity("Delete", created["object"]["id"]))
    assert "Shown at once" not in client.get(pools).content.decode()
    assert client.get(grid)["X-Page-Cache"] == "hit"


def test_a_blocked_authors_replies_leave_the_page_at_once(
    client, alice, article, post_inbox, admin_client, cached_pages, committed
):
    pools, grid = cached_pages
    post_inbox(alice, reply_to(alice, article, "<p>Soon blocked</p>"))
    with committed():
        admin_client.post(
            "/admin/federation/reply/",
            {"action": "approve", "_selected_action": [Reply.objects.get().pk]},
        )
    assert "Soon blocked" in client.get(pools).content.decode()
    assert client.get(pools)["X-Page-Cache"] == "hit"
    with committed():
        Block.objects.create(actor_uri=alice.uri)
    assert "Soon blocked" not in client.get(pools).content.decode()
    assert client.get(grid)["X-Page-Cache"] == "hit"


def approved(client, admin_client, alice, article, post_inbox, committed, text):
    """A reply approved by an editor, shown on the article's cached page."""
    post_inbox(alice, reply_to(alice, article, text))
    reply = Reply.objects.get()
    with committed():
        admin_client.post(
            "/admin/federation/reply/", {"action": "approve", "_selected_action": [reply.pk]}
        )
    assert text in client.get("/en/posts/pools/").content.decode()
    assert client.get("/en/posts/pools/")["X-Page-Cache"] == "hit"
    return reply


def test_a_reply_deleted_in_the_admin_leaves_its_page_at_once(
    client, alice, article, post_inbox, admin_client, cached_pages, committed
):
    pools, grid = cached_pages
    reply = approved(client, admin_client, alice, article, post_inbox, committed, "Deleted soon")
    with committed():
        admin_client.post(
            "/admin/federation/reply/",
            {"action": "delete_selected", "_selected_action": [reply.pk], "post": "yes"},
        )
    assert not Reply.objects.exists()
    assert "Deleted soon" not in client.get(pools).content.decode()
    assert client.get(grid)["X-Page-Cache"] == "hit"


def test_a_reply_rejected_in_its_form_leaves_its_page_at_once(
    client, alice, article, post_inbox, admin_client, cached_pages, committed
):
    pools, _grid = cached_pages
    reply = approved(client, admin_client, alice, article, post_inbox, committed, "Second look")
    with committed():
        response = admin_client.post(
            f"/admin/federation/reply/{reply.pk}/change/", {"status": Reply.Status.REJECTED}
        )
    assert response.status_code == 302
    assert "Second look" not in client.get(pools).content.decode()


def test_a_like_deleted_in_the_admin_is_no_longer_counted(
    client, alice, article, post_inbox, admin_client, settings, committed
):
    post_inbox(
        alice, alice.activity("Like", f"http://testserver/federation/objects/en/{article.pk}")
    )
    assert "1 like" in client.get("/en/posts/pools/").content.decode()
    with committed():
        admin_client.post(
            "/admin/federation/reaction/",
            {
                "action": "delete_selected",
                "_selected_action": [Reaction.objects.get().pk],
                "post": "yes",
            },
        )
    assert "1 like" not in client.get("/en/posts/pools/").content.decode()


def test_the_editions_account_reaches_cached_article_pages(client, article, settings, committed):
    settings.PAGE_CACHE_SECONDS = 600
    page = "/en/posts/pools/"
    assert 'rel="me"' not in client.get(page).content.decode()
    assert client.get(page)["X-Page-Cache"] == "hit"
    with committed():
        Actor.objects.ensure()  # as the first fediverse request does
    assert 'rel="me"' in client.get(page).content.decode()


def test_reply_to_the_article_page_address_counts_too(alice, article, post_inbox):
    activity = reply_to(alice, article, inReplyTo="http://testserver/en/posts/pools/")
    post_inbox(alice, activity)
    assert Reply.objects.get().article == article


def test_replies_to_anything_else_are_not_kept(alice, article, post_inbox):
    post_inbox(alice, reply_to(alice, article, inReplyTo="https://elsewhere.example/notes/1"))
    assert not Reply.objects.exists()


def test_delete_of_a_reply_removes_it(alice, article, post_inbox):
    created = reply_to(alice, article)
    post_inbox(alice, created)
    post_inbox(alice, alice.activity("Delete", created["object"]["id"]))
    assert not Reply.objects.exists()


def test_likes_and_boosts_are_counted_once_each(client, alice, article, post_inbox):
    target = f"http://testserver/federation/objects/en/{article.pk}"
    like = alice.activity("Like", target)
    post_inbox(alice, like)
    post_inbox(alice, like)
    post_inbox(alice, alice.activity("Announce", target))
    assert Reaction.objects.filter(kind="like").count() == 1
    assert Reaction.objects.filter(kind="boost").count() == 1
    assert "1 like · 1 boost" in client.get("/en/posts/pools/").content.decode()
    post_inbox(alice, alice.activity("Undo", like))
    assert Reaction.objects.filter(kind="like").count() == 0


def test_blocking_a_server_removes_its_follows_and_replies_and_refuses_it(
    blog, alice, article, post_inbox
):
    post_inbox(alice, alice.activity("Follow", blog.uri))
    post_inbox(alice, reply_to(alice, article))
    Block.objects.create(domain="127.0.0.1")
    assert not Follower.objects.exists()
    assert not Reply.objects.exists()
    assert post_inbox(alice, alice.activity("Follow", blog.uri)).status_code == 403
    assert not Follower.objects.exists()


def test_blocking_one_account_leaves_its_neighbours(blog, remote_server, article, post_inbox):
    server = remote_server()
    alice, bob = server.account("alice"), server.account("bob", slot=2)
    for account in (alice, bob):
        post_inbox(account, account.activity("Follow", blog.uri))
    Block.objects.create(actor_uri=alice.uri)
    assert list(Follower.objects.values_list("remote__uri", flat=True)) == [bob.uri]


# ------------------------------------------------------------------ nothing unsigned counts


INBOX = "http://testserver/federation/inbox"


def _tamper_body(account, activity):
    signed = account.cavage_headers(INBOX, json.dumps(activity).encode())
    return {"headers": signed, "body": json.dumps(activity | {"object": "x"}).encode()}


def _stale(account, activity):
    old = datetime.now(UTC) - timedelta(hours=13)
    return {"headers": account.cavage_headers(INBOX, json.dumps(activity).encode(), date=old)}


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda account, activity: {"headers": {"Signature": ""}}, id="unsigned"),
        pytest.param(
            lambda account, activity: {"headers": {"Signature": 'keyId="x",signature="y"'}},
            id="garbage",
        ),
        pytest.param(
            lambda account, activity: {"headers": {"Digest": "SHA-256=AAAA"}}, id="wrong-digest"
        ),
        pytest.param(_tamper_body, id="body-changed-after-signing"),
        pytest.param(_stale, id="stale-date"),
        pytest.param(
            lambda account, activity: {
                "headers": {
                    "Date": (datetime.now(UTC) + timedelta(hours=2)).strftime(
                        "%a, %d %b %Y %H:%M:%S GMT"
                    )
                }
            },
            id="date-changed",
        ),
    ],
)
def test_badly_signed_requests_change_nothing(blog, alice, post_inbox, spoil):
    activity = alice.activity("Follow", blog.uri)
    changes = spoil(alice, activity)
    response = post_inbox(alice, activity, **changes)
    assert response.status_code == 401
    assert not Follower.objects.exists()
    assert not ReceivedActivity.objects.exists()


def test_signed_by_one_account_for_another_is_refused(blog, remote_server, post_inbox):
    server = remote_server()
    alice, mallory = server.account("alice"), server.account("mallory", slot=2)
    server.account("alice")
    forged = alice.activity("Follow", blog.uri)
    assert post_inbox(mallory, forged).status_code == 401
    assert not Follower.objects.exists()


def test_signature_by_a_rotated_key_is_checked_against_a_fresh_copy(
    blog, remote_server, post_inbox
):
    server = remote_server()
    alice = server.account("alice")
    post_inbox(alice, alice.activity("Follow", blog.uri))
    RemoteActor.objects.update(public_key_pem=server.account("bob", slot=2).public_pem)
    assert post_inbox(alice, alice.activity("Like", blog.uri)).status_code == 202
    assert RemoteActor.objects.get(uri=alice.uri).public_key_pem == alice.public_pem


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b'{"type": "Follow"}', 400),
        (json.dumps({"id": "http://x/1", "type": "Like", "actor": ["a"]}).encode(), 400),
        (b'{"a":' * 40 + b"1" + b"}" * 40, 400),
        (b'{"pad": "' + b"x" * 300_000 + b'"}', 413),
    ],
    ids=["not-json", "array", "no-id", "actor-not-a-uri", "too-deep", "too-large"],
)
def test_malformed_activities_are_refused_before_any_fetch(alice, post_inbox, body, status):
    response = post_inbox(alice, None, body=body)
    assert response.status_code == status
    assert alice.server.gets == []


def test_rate_limit_per_server(blog, alice, post_inbox, settings):
    settings.FEDERATION_INBOX_RATE_PER_MINUTE = 2
    statuses = [post_inbox(alice, alice.activity("Like", blog.uri)).status_code for _ in range(3)]
    assert statuses == [202, 202, 429]


# ------------------------------------------------------------------ SSRF


def test_key_on_a_private_address_is_not_fetched(blog, alice, post_inbox, settings):
    settings.FEDERATION_ALLOWED_PRIVATE_ADDRESSES = ""
    response = post_inbox(alice, alice.activity("Follow", blog.uri))
    assert response.status_code == 401
    assert alice.server.gets == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8000/users/x",
        "http://10.0.0.5/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
        "ftp://example.org/",
        "file:///etc/passwd",
    ],
)
def test_private_and_odd_addresses_are_refused(url, settings):
    settings.FEDERATION_ALLOWED_PRIVATE_ADDRESSES = ""
    with pytest.raises(ForbiddenAddressError):
        check_address(url)


def test_allowed_private_networks_are_reachable(settings):
    settings.FEDERATION_ALLOWED_PRIVATE_ADDRESSES = "10.0.0.0/8, 127.0.0.1"
    check_address("http://10.1.2.3/")
    check_address("http://127.0.0.1:9/")
    with pytest.raises(ForbiddenAddressError):
        check_address("http://192.168.0.1/")
