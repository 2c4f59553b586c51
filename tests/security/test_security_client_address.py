"""The client's address: REMOTE_ADDR unless TRUSTED_PROXIES says proxies sit in front.

Rate limits, login throttling and the consent record all use it.
"""

import runpy

import pytest
from axes.models import AccessAttempt
from django.test import Client

from blogsite import settings as settings_module
from newsletter.models import Subscriber

SPOOFING = {
    "HTTP_X_FORWARDED_FOR": "1.2.3.4",
    "HTTP_X_REAL_IP": "1.2.3.5",
    "HTTP_FORWARDED": "for=1.2.3.6",
    "HTTP_CLIENT_IP": "1.2.3.7",
    "HTTP_TRUE_CLIENT_IP": "1.2.3.8",
    "HTTP_CF_CONNECTING_IP": "1.2.3.9",
    "HTTP_X_CLUSTER_CLIENT_IP": "1.2.3.10",
}
PROXY = "127.0.0.1"


def trust_proxies(settings, monkeypatch, count):
    """The settings module read again with TRUSTED_PROXIES=count, its address rules applied."""
    monkeypatch.setenv("TRUSTED_PROXIES", str(count))
    derived = runpy.run_path(settings_module.__file__)
    for name, value in derived.items():
        if name.startswith(("IPWARE_", "AXES_IPWARE_", "TRUSTED_PROXIES")):
            setattr(settings, name, value)


@pytest.fixture(autouse=True)
def _quick_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_up(client, email, **headers):
    return client.post(
        "/en/newsletter/subscribe/", {"email": email, "page": "/en/"}, **headers
    ).status_code


def fail_login(client, **headers):
    return client.post("/admin/login/", {"username": "x", "password": "y"}, **headers)


def test_without_a_proxy_forwarded_headers_change_nothing(client, db, settings):
    assert settings.TRUSTED_PROXIES == 0
    for number in range(10):
        headers = {name: f"9.9.{number}.{len(name)}" for name in SPOOFING}
        email = f"r{number}@example.org"
        assert sign_up(client, email, REMOTE_ADDR="203.0.113.5", **headers) == 302
    # A new forged address each time does not open a new bucket.
    assert sign_up(client, "r10@example.org", REMOTE_ADDR="203.0.113.5", **SPOOFING) == 429


def test_without_a_proxy_the_consent_records_the_connecting_address(db, settings):
    settings.TASKS = {
        **settings.TASKS,
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    assert sign_up(Client(), "c@example.org", REMOTE_ADDR="203.0.113.5", **SPOOFING) == 302
    assert Subscriber.objects.get().consent_ip == "203.0.113.5"


def test_without_a_proxy_login_throttling_counts_the_connecting_address(db):
    client = Client()
    fail_login(client, REMOTE_ADDR="203.0.113.5", **SPOOFING)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]


def test_behind_one_proxy_each_reader_has_their_own_signup_bucket(db, settings, monkeypatch):
    trust_proxies(settings, monkeypatch, 1)
    client = Client(REMOTE_ADDR=PROXY)
    for number in range(10):
        assert sign_up(client, f"a{number}@example.org", HTTP_X_FORWARDED_FOR="198.51.100.7") == 302
    assert sign_up(client, "a10@example.org", HTTP_X_FORWARDED_FOR="198.51.100.7") == 429
    # Another reader behind the same proxy is not blocked by the first.
    assert sign_up(client, "b@example.org", HTTP_X_FORWARDED_FOR="198.51.100.8") == 302
    # The proxy appends the real address; what the client wrote before it is ignored.
    forged = "192.0.2.1, 198.51.100.7"
    assert sign_up(client, "a11@example.org", HTTP_X_FORWARDED_FOR=forged) == 429


def test_behind_one_proxy_the_consent_records_the_reader(db, settings, monkeypatch):
    trust_proxies(settings, monkeypatch, 1)
    settings.TASKS = {
        **settings.TASKS,
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    forged = "192.0.2.1, 198.51.100.7"
    sign_up(Client(REMOTE_ADDR=PROXY), "c@example.org", HTTP_X_FORWARDED_FOR=forged)
    assert Subscriber.objects.get().consent_ip == "198.51.100.7"


def test_behind_two_proxies_the_address_the_outer_one_saw_counts(db, settings, monkeypatch):
    trust_proxies(settings, monkeypatch, 2)
    client = Client(REMOTE_ADDR=PROXY)
    fail_login(client, HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7, 10.0.0.2")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]


def test_behind_a_proxy_login_throttling_counts_the_reader(db, settings, monkeypatch):
    trust_proxies(settings, monkeypatch, 1)
    client = Client(REMOTE_ADDR=PROXY)
    fail_login(client, HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]
