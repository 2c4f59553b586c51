import itertools

import pytest

from newsletter.models import Subscriber

_sequence = itertools.count(1)


@pytest.fixture
def make_subscriber(db):
    def make(**fields):
        fields.setdefault("email", f"reader{next(_sequence)}@example.com")
        fields.setdefault("status", Subscriber.Status.CONFIRMED)
        return Subscriber.objects.create(**fields)

    return make


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run inside the request, so their email is in the outbox when it returns."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://blog.example.org"
    return settings.SITE_URL
