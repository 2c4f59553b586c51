import itertools

import pytest
from smtp_sink import SMTPServer

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
    settings.TASKS = {
        **settings.TASKS,
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://blog.example.org"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "blog.example.org"]
    return settings.SITE_URL


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free port, and Django's SMTP backend pointed at it."""
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "newsletter.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def quick_retries(settings):
    """Retries a second apart and leases of two seconds, so tests wait seconds, not hours."""
    settings.NEWSLETTER_RETRY_DELAY = 1
    settings.NEWSLETTER_RETRY_MAX_DELAY = 1
    settings.NEWSLETTER_LEASE_SECONDS = 2
    settings.NEWSLETTER_BATCH_SIZE = 10
    return settings
