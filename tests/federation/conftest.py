import pytest
from django.core.management import call_command
from fediverse import RemoteServer, key_pair

from federation import models as federation_models
from federation.models import Actor


@pytest.fixture(autouse=True)
def _federation_settings(settings, monkeypatch):
    settings.FEDERATION_ALLOWED_PRIVATE_ADDRESSES = "127.0.0.1"
    settings.FEDERATION_ALLOW_HTTP = True
    settings.FEDERATION_TIMEOUT = 5
    # Our editions' keys come from a pool made once per run, not 2048-bit keys per test.
    slots = iter(range(100, 200))

    def pooled():
        _key, private, public = key_pair(next(slots))
        return private, public

    monkeypatch.setattr(federation_models, "generate_key_pair", pooled)


@pytest.fixture
def actors(db):
    return {actor.language: actor for actor in Actor.objects.ensure()}


@pytest.fixture
def blog(actors):
    return actors["en"]


@pytest.fixture
def remote_server(actors):
    """Start fake servers that know our editions' keys; all stopped after the test."""
    started = []

    def start(**modes):
        server = RemoteServer(**modes)
        keys = {actor.key_id: actor.public_key_pem for actor in actors.values()}
        server.key_source = keys.get
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def run_worker(transactional_db):
    """The real task worker, in this process: runs every task that is due, then returns.

    (It closes connections between tasks, so the tests using it commit for real.)
    """

    def run():
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    return run


@pytest.fixture
def post_inbox(client, django_capture_on_commit_callbacks):
    """POST an activity to one of our inboxes as `account` signs it (draft-cavage)."""

    def post(account, activity, path="/federation/inbox", *, headers=None, body=None):
        body = body if body is not None else _json(activity)
        signed = account.cavage_headers(f"http://testserver{path}", body)
        signed.update(headers or {})
        if headers and "Signature" in headers and not headers["Signature"]:
            del signed["Signature"]
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in signed.items()}
        extra.pop("HTTP_CONTENT_TYPE", None)
        extra.pop("HTTP_HOST", None)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, body, content_type="application/activity+json", **extra)

    return post


def _json(document):
    import json

    return json.dumps(document).encode()
