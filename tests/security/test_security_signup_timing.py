"""A signup does the same work whatever the address's state, so its timing tells nothing.

The work that depends on the address runs in the task worker; the request only queues it.
Timing itself belongs in bench/, so this compares the queries each request makes.
"""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletter.models import Subscriber

STATES = ["new", *Subscriber.Status.values]


def shape(sql):
    # The statements without their values (the queued task's arguments and ids differ).
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


@pytest.fixture
def subscribers(db):
    for status in Subscriber.Status.values:
        Subscriber.objects.create(email=f"{status}@example.org", status=status)


def signup_queries(client, email):
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/en/newsletter/subscribe/", {"email": email, "page": "/en/"})
    assert response.status_code == 302
    return [shape(query["sql"]) for query in queries.captured_queries]


def test_every_address_state_makes_the_same_queries(client, subscribers):
    seen = {state: signup_queries(client, f"{state}@example.org") for state in STATES}
    assert seen["new"]  # the request queues the work
    assert all(queries == seen["new"] for queries in seen.values()), seen


def test_the_queued_work_still_tells_only_the_right_readers(client, subscribers, settings):
    # The worker's part, run at once: the tasks the request queued, then the ones they queue.
    settings.TASKS = {
        **settings.TASKS,
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    for state in STATES:
        client.post("/en/newsletter/subscribe/", {"email": f"{state}@example.org"})
    told = sorted(address for message in mail.outbox for address in message.to)
    # Everyone but a confirmed reader gets a (fresh) double opt-in.
    assert told == sorted(f"{state}@example.org" for state in STATES if state != "confirmed")
    assert Subscriber.objects.get(email="unsubscribed@example.org").status == "pending"
