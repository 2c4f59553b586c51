"""Bounces and complaints from the provider's webhooks suppress addresses.

The events come as a real provider would post them: Mailgun's JSON, signed with the
webhook signing key, behind the basic-auth secret, through anymail's tracking webhook.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from contextlib import nullcontext

import pytest
from anymail.exceptions import AnymailNotSupportedWarning
from django.core import mail

from newsletter import sending
from newsletter.models import Delivery, Issue, Subscriber

SIGNING_KEY = "mailgun-signing-key"
SECRET = "webhook:s3cret-words"
TRACKING = "/anymail/mailgun/tracking/"


@pytest.fixture(autouse=True)
def anymail_settings(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.MAIL_WEBHOOK_PROVIDER = "mailgun"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    settings.NEWSLETTER_SOFT_BOUNCE_LIMIT = 3


def mailgun_event(event, recipient, key=SIGNING_KEY, **fields):
    timestamp, token = str(int(time.time())), secrets.token_hex(25)
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature.hexdigest()},
        "event-data": {
            "event": event,
            "recipient": recipient,
            "timestamp": time.time(),
            "id": secrets.token_hex(8),
            **fields,
        },
    }


def post(client, payload, secret=SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        TRACKING,
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def hard_bounce(recipient):
    return mailgun_event(
        "failed",
        recipient,
        severity="permanent",
        reason="bounce",
        **{"delivery-status": {"message": "550 5.1.1 The email account does not exist"}},
    )


def soft_bounce(recipient):
    return mailgun_event(
        "failed",
        recipient,
        severity="temporary",
        reason="generic",
        **{"delivery-status": {"message": "452 4.2.2 Mailbox full"}},
    )


@pytest.fixture
def issue(make_article):
    issue = Issue.objects.create(subject_en="Weekly", status=Issue.Status.SENDING)
    issue.articles.set([make_article()])
    return issue


def test_a_hard_bounce_suppresses_the_address_with_the_reason_and_time(client, make_subscriber):
    reader = make_subscriber(email="Gone@example.com")

    response = post(client, hard_bounce("gone@example.com"))

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.SUPPRESSED
    assert reader.suppressed_reason.startswith("hard bounce (Mailgun): 550 5.1.1")
    assert reader.suppressed_at is not None


def test_a_spam_complaint_suppresses_the_address(client, make_subscriber):
    reader = make_subscriber()
    post(client, mailgun_event("complained", reader.email))
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.SUPPRESSED
    assert reader.suppressed_reason.startswith("spam complaint (Mailgun)")


def test_a_suppressed_reader_gets_no_more_mail(client, make_subscriber, issue):
    stays, bounced = make_subscriber(), make_subscriber()
    sending.add_recipients(issue)  # queued before the bounce arrived
    post(client, hard_bounce(bounced.email))

    sending.send_issue_now(issue)

    assert [message.to for message in mail.outbox] == [[stays.email]]
    skipped = Delivery.objects.get(subscriber=bounced)
    assert skipped.status == Delivery.Status.SUPPRESSED
    assert skipped.error.startswith("hard bounce")


def test_soft_bounces_suppress_only_after_the_limit_in_a_row(client, make_subscriber):
    reader = make_subscriber()
    post(client, soft_bounce(reader.email))
    post(client, soft_bounce(reader.email))
    post(client, mailgun_event("delivered", reader.email))  # the count starts again
    post(client, soft_bounce(reader.email))
    post(client, soft_bounce(reader.email))
    reader.refresh_from_db()
    assert (reader.status, reader.soft_bounces) == (Subscriber.Status.CONFIRMED, 2)

    post(client, soft_bounce(reader.email))

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.SUPPRESSED
    assert reader.suppressed_reason.startswith("soft bounces (Mailgun): 452 4.2.2")


@pytest.mark.parametrize(
    ("payload_key", "secret"),
    [
        ("wrong-signing-key", SECRET),  # forged signature
        (SIGNING_KEY, "webhook:wrong"),  # right signature, wrong basic auth
    ],
)
def test_an_unauthenticated_webhook_is_refused_and_changes_nothing(
    client, make_subscriber, payload_key, secret
):
    reader = make_subscriber()
    response = post(client, mailgun_event("complained", reader.email, key=payload_key), secret)
    assert response.status_code in {400, 401, 403}
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED


def test_without_a_webhook_secret_no_webhook_is_taken(client, make_subscriber, settings):
    # A provider that signs its payloads still needs the secret here: anymail alone would
    # only warn, and a forged bounce would suppress a reader.
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    reader = make_subscriber()
    response = post(client, hard_bounce(reader.email), secret="anyone:at-all")
    assert response.status_code == 404
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED


def test_a_suppressed_reader_who_signs_up_again_confirms_again(
    client, make_subscriber, immediate_tasks
):
    reader = make_subscriber(email="back@example.com")
    post(client, mailgun_event("complained", reader.email))

    client.post("/en/newsletter/subscribe/", {"email": "back@example.com"})

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.PENDING
    [confirmation] = mail.outbox
    assert confirmation.to == ["back@example.com"]
    assert "/en/newsletter/confirm/" in confirmation.body


def test_an_event_for_an_unknown_address_is_accepted_and_ignored(client, make_subscriber):
    make_subscriber()
    assert post(client, hard_bounce("stranger@example.com")).status_code == 200
    assert not Subscriber.objects.filter(status=Subscriber.Status.SUPPRESSED).exists()


def test_the_subscribers_admin_page_says_why_and_when(client, admin_client, make_subscriber):
    reader = make_subscriber()
    post(client, hard_bounce(reader.email))

    page = admin_client.get(f"/admin/newsletter/subscriber/{reader.pk}/change/").content.decode()

    assert "hard bounce (Mailgun): 550 5.1.1 The email account does not exist" in page
    assert "Suppressed at" in page
    listing = admin_client.get("/admin/newsletter/subscriber/?status__exact=suppressed")
    assert reader.email in listing.content.decode()


SENDGRID_BOUNCE = [{"event": "bounce", "type": "bounce", "email": "{email}", "timestamp": 1}]


def test_another_providers_webhook_is_not_answered(client, make_subscriber):
    reader = make_subscriber()
    body = json.dumps(SENDGRID_BOUNCE).replace("{email}", reader.email)
    credentials = base64.b64encode(SECRET.encode()).decode()
    response = client.post(
        "/anymail/sendgrid/tracking/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {credentials}",
    )
    assert response.status_code == 404
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED


MALFORMED = [b"not json", b"[]", b"{}", b'{"event-data": 7}', b'"text"', b"null", b"[1, 2]"]


@pytest.mark.parametrize("provider", ["postmark", "resend", "brevo", "sendgrid", "mailgun"])
def test_a_malformed_body_is_never_a_500_for_the_configured_provider(
    client, make_subscriber, settings, provider
):
    reader = make_subscriber()
    settings.MAIL_WEBHOOK_PROVIDER = provider
    settings.ANYMAIL = {**settings.ANYMAIL, "RESEND_SIGNING_SECRET": "whsec_" + "A" * 32}
    credentials = base64.b64encode(SECRET.encode()).decode()
    # Anymail warns at every SendGrid webhook since it stopped testing SendGrid (13.0.1;
    # README says so).
    said = pytest.warns(AnymailNotSupportedWarning) if provider == "sendgrid" else nullcontext()
    with said:
        responses = [
            client.post(
                f"/anymail/{provider}/tracking/",
                body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Basic {credentials}",
            )
            for body in MALFORMED
        ]
    for body, response in zip(MALFORMED, responses, strict=True):
        # Refused, or (an empty event list) taken as nothing to do; never a server error.
        assert response.status_code < 500, (provider, body, response.status_code)
        if body == b"not json":
            assert 400 <= response.status_code < 500, provider
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED
