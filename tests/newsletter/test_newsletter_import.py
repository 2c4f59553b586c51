"""Readers brought over from another service's CSV export (newsletter/imports.py)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from newsletter.models import Subscriber

URL = "/admin/newsletter/subscriber/import/"
# Our own readers, in the columns each service exports.
EXPORTS = Path(__file__).parent / "exports"

GHOST = (EXPORTS / "ghost-members.csv").read_text()
MAILCHIMP = (EXPORTS / "mailchimp-subscribed.csv").read_text()
MAILCHIMP_UNSUBSCRIBED = (EXPORTS / "mailchimp-unsubscribed.csv").read_text()
SUBSTACK = (EXPORTS / "substack-emails.csv").read_text()
BUTTONDOWN = (EXPORTS / "buttondown-subscribers.csv").read_text()
PLAIN = "email\nfirst@example.org\nnot-an-address\n\n"


@pytest.fixture
def send_now(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return django_capture_on_commit_callbacks


def upload(client, text, consent="keep", language="en", name="export.csv", raw=None):
    data = raw if raw is not None else text.encode()
    form = {"file": SimpleUploadedFile(name, data, "text/csv"), "language": language}
    return client.post(URL, {**form, "consent": consent})


def statuses():
    return dict(Subscriber.objects.values_list("email", "status"))


def test_a_ghost_export_keeps_each_readers_consent_record(admin_client, send_now):
    with send_now(execute=True):
        response = upload(admin_client, GHOST, language="ru")
    assert response.status_code == 200
    assert statuses() == {"lena@example.org": "confirmed", "mira@example.org": "confirmed"}
    lena = Subscriber.objects.get(email="lena@example.org")
    assert lena.consent_at == datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)
    assert lena.consent_wording == "import:ghost"
    assert lena.language == "ru"
    assert mail.outbox == []  # nobody had to be asked
    assert "no longer subscribed at the other service" in response.content.decode()


def test_a_mailchimp_export_keeps_the_confirmation_and_its_address(admin_client):
    upload(admin_client, MAILCHIMP)
    pavel = Subscriber.objects.get(email="pavel@example.org")
    assert pavel.status == Subscriber.Status.CONFIRMED
    assert pavel.confirmed_at == datetime(2024, 2, 1, 8, 5, tzinfo=UTC)
    assert pavel.consent_ip == "198.51.100.7"
    assert Subscriber.objects.get(email="nina@example.org").consent_ip == "203.0.113.9"


def test_a_mailchimp_unsubscribed_export_imports_nobody(admin_client):
    upload(admin_client, MAILCHIMP_UNSUBSCRIBED)
    assert statuses() == {}


def test_a_substack_export_leaves_out_disabled_readers(admin_client):
    upload(admin_client, SUBSTACK)
    assert statuses() == {"ivan@example.org": "confirmed"}


def test_a_buttondown_export_asks_unactivated_readers_to_confirm(admin_client, send_now):
    with send_now(execute=True):
        upload(admin_client, BUTTONDOWN)
    assert statuses() == {"anna@example.org": "confirmed", "maybe@example.org": "pending"}
    assert [message.to for message in mail.outbox] == [["maybe@example.org"]]


def test_a_csv_without_consent_evidence_goes_through_double_opt_in(admin_client, send_now):
    with send_now(execute=True):
        response = upload(admin_client, PLAIN)
    assert statuses() == {"first@example.org": "pending"}
    assert [message.to for message in mail.outbox] == [["first@example.org"]]
    assert "line 3: not-an-address" in response.content.decode()


def test_double_opt_in_for_everyone_when_the_editor_asks(admin_client, send_now):
    with send_now(execute=True):
        upload(admin_client, GHOST, consent="confirm")
    assert set(statuses().values()) == {"pending"}
    assert len(mail.outbox) == 2


def test_known_addresses_are_never_resubscribed(admin_client, make_subscriber):
    make_subscriber(email="lena@example.org", status=Subscriber.Status.SUPPRESSED)
    make_subscriber(email="mira@example.org", status=Subscriber.Status.UNSUBSCRIBED)
    response = upload(admin_client, GHOST)
    assert statuses() == {"lena@example.org": "suppressed", "mira@example.org": "unsubscribed"}
    page = response.content.decode()
    assert "lena@example.org: Suppressed" in page
    assert "mira@example.org: Unsubscribed" in page


def test_an_address_twice_in_the_file_is_imported_once_and_reported(admin_client):
    twice = PLAIN.replace("not-an-address", "FIRST@example.org")
    response = upload(admin_client, twice)
    assert statuses() == {"first@example.org": "pending"}
    assert "listed twice in the file" in response.content.decode()


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe\x00garbage",
        b"name,city\nLena,Riga\n",
        b"",
        b'email\n"unterminated@example.org\n',
        b"\x00\x00\x00\x00",
    ],
    ids=["not-utf8", "no-email-column", "empty", "broken-quote", "nul-bytes"],
)
def test_an_unreadable_file_is_a_form_error_and_changes_nothing(admin_client, raw):
    response = upload(admin_client, "", raw=raw)
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert not Subscriber.objects.exists()
