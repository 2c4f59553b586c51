import json

from fediverse import signed_message

from federation.models import Delivery, Follower, ReceivedActivity, RemoteActor


def test_a_signed_follow_gets_a_signed_accept(blog, remote_server, post_inbox, run_worker):
    server = remote_server()
    alice = server.account("alice")
    follow = alice.activity("Follow", blog.uri)

    response = post_inbox(alice, follow, "/federation/actors/blog/inbox")
    assert response.status_code == 202
    assert Follower.objects.get().remote.uri == alice.uri
    run_worker()

    [accept] = server.activities("Accept")
    assert accept["actor"] == blog.uri
    assert accept["object"]["id"] == follow["id"]
    assert server.refused == []  # our Accept passed Mastodon's signature checks
    path, headers, _body = server.received[0]
    assert path == "/users/alice/inbox"
    assert 'headers="(request-target) host date digest"' in headers["signature"]


def test_followers_count_counts_each_account_once(client, blog, remote_server, post_inbox):
    server = remote_server()
    for name in ("alice", "bob"):
        account = server.account(name)
        post_inbox(account, account.activity("Follow", blog.uri))
        post_inbox(account, account.activity("Follow", blog.uri))  # a new id, a second try
    document = json.loads(
        client.get(blog.followers_uri, HTTP_ACCEPT="application/activity+json").content
    )
    assert document["totalItems"] == 2


def test_undo_follow_removes_the_follower(blog, remote_server, post_inbox):
    server = remote_server()
    alice = server.account("alice")
    follow = alice.activity("Follow", blog.uri)
    post_inbox(alice, follow)
    assert post_inbox(alice, alice.activity("Undo", follow)).status_code == 202
    assert not Follower.objects.exists()


def test_follow_of_the_russian_edition_follows_only_it(actors, remote_server, post_inbox):
    server = remote_server()
    alice = server.account("alice")
    post_inbox(alice, alice.activity("Follow", actors["ru"].uri))
    assert Follower.objects.get().actor == actors["ru"]


def test_same_activity_delivered_twice_changes_nothing_twice(blog, remote_server, post_inbox):
    server = remote_server()
    alice = server.account("alice")
    follow = alice.activity("Follow", blog.uri)
    assert post_inbox(alice, follow).content == b"accepted"
    assert post_inbox(alice, follow).content == b"duplicate"
    assert Delivery.objects.filter(activity__kind="Accept").count() == 1
    assert ReceivedActivity.objects.count() == 1


def test_follow_signed_with_rfc9421_is_accepted(client, blog, remote_server):
    server = remote_server()
    alice = server.account("alice")
    body = json.dumps(alice.activity("Follow", blog.uri)).encode()
    message = signed_message(alice, "http://testserver/federation/inbox", body, "rfc9421")
    extra = {
        f"HTTP_{name.upper().replace('-', '_')}": value
        for name, value in message.headers.items()
        if name not in ("content-type", "host")
    }
    response = client.post(
        "/federation/inbox", body, content_type="application/activity+json", **extra
    )
    assert response.status_code == 202, response.content
    assert Follower.objects.filter(remote__uri=alice.uri).exists()


def test_keys_of_a_server_in_authorized_fetch_mode_are_fetched_signed(
    blog, remote_server, post_inbox
):
    server = remote_server(authorized_fetch=True)
    alice = server.account("alice")
    assert post_inbox(alice, alice.activity("Follow", blog.uri)).status_code == 202
    assert server.refused == []
    assert "signature" in server.gets[0][1]
    assert RemoteActor.objects.get().shared_inbox == server.shared_inbox
