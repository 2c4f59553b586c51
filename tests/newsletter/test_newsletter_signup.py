from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from smtp_sink import SMTPServer

from newsletter.models import SIGNUP_WORDING_VERSION, Subscriber
from newsletter.signup import RATE_LIMIT
from newsletter.tasks import CONFIRMATION_RETRIES, send_confirmation

SUBSCRIBE = "/en/newsletter/subscribe/"


def subscribe(client, email, url=SUBSCRIBE, **extra):
    return client.post(url, {"email": email, "page": "/en/posts/pool-sizing/", **extra})


@pytest.mark.django_db
def test_signup_stores_a_pending_normalised_address_with_its_consent(client, immediate_tasks):
    response = subscribe(client, "  Reader@Example.COM ", url="/ru/newsletter/subscribe/")

    assert response.status_code == 302
    assert response["Location"] == "/ru/newsletter/check-your-inbox/"
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Reader@example.com"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.language == "ru"
    assert subscriber.consent_language == "ru"
    assert subscriber.consent_page == "/en/posts/pool-sizing/"
    assert subscriber.consent_wording == SIGNUP_WORDING_VERSION
    assert subscriber.consent_at is not None


@pytest.mark.django_db
def test_the_answer_is_the_same_whatever_the_state_of_the_address(
    client, immediate_tasks, make_subscriber
):
    make_subscriber(email="pending@example.com", status=Subscriber.Status.PENDING)
    make_subscriber(email="confirmed@example.com", status=Subscriber.Status.CONFIRMED)
    make_subscriber(email="gone@example.com", status=Subscriber.Status.UNSUBSCRIBED)

    answers = set()
    for email in [
        "new@example.com",
        "pending@example.com",
        "confirmed@example.com",
        "gone@example.com",
    ]:
        response = subscribe(client, email)
        followed = client.get(response["Location"])
        answers.add((response.status_code, response["Location"], followed.content))
    assert len(answers) == 1


@pytest.mark.django_db
def test_confirmed_address_gets_no_second_confirmation(client, immediate_tasks, make_subscriber):
    make_subscriber(email="confirmed@example.com")
    subscribe(client, "CONFIRMED@example.com")
    assert mail.outbox == []
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


@pytest.mark.django_db
def test_unsubscribed_reader_can_subscribe_again(client, immediate_tasks, make_subscriber):
    make_subscriber(email="back@example.com", status=Subscriber.Status.UNSUBSCRIBED)
    subscribe(client, "back@example.com")
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    assert [message.to for message in mail.outbox] == [["back@example.com"]]


@pytest.mark.parametrize("email", ["not-an-email", "", "a@b@c", "x" * 250 + "@example.com"])
@pytest.mark.django_db
def test_invalid_address_gets_a_form_error_and_stores_nothing(client, immediate_tasks, email):
    response = subscribe(client, email)
    assert response.status_code == 400
    assert b'role="alert"' in response.content
    assert b'aria-invalid="true"' in response.content
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_honeypot_gets_the_same_answer_and_stores_nothing(client, immediate_tasks):
    response = subscribe(client, "bot@example.com", website="https://spam.example")
    assert response.status_code == 302
    assert response["Location"] == "/en/newsletter/check-your-inbox/"
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_signups_are_rate_limited_per_client_address(client, immediate_tasks):
    for number in range(RATE_LIMIT):
        assert subscribe(client, f"r{number}@example.com").status_code == 302
    blocked = subscribe(client, "one-more@example.com")

    assert blocked.status_code == 429
    assert b"try again later" in blocked.content
    assert not Subscriber.objects.with_email("one-more@example.com").exists()
    other_client = Client(REMOTE_ADDR="10.0.0.2")
    assert subscribe(other_client, "elsewhere@example.com").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_ORIGIN": "http://testserver.evil.example"},
    ],
)
def test_a_cross_site_post_is_refused(immediate_tasks, headers):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(SUBSCRIBE, {"email": "reader@example.com"}, **headers)
    assert response.status_code == 403
    assert "another site" in response.content.decode()
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_ORIGIN": "http://testserver"},
        {},  # no browser: nothing to forge, the honeypot and rate limit apply
    ],
)
def test_a_same_origin_post_needs_no_csrf_token(immediate_tasks, headers):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(SUBSCRIBE, {"email": "reader@example.com"}, **headers)
    assert response.status_code == 302
    assert Subscriber.objects.get().email == "reader@example.com"


@pytest.mark.django_db
def test_subscribe_url_only_accepts_post(client):
    assert client.get(SUBSCRIBE).status_code == 405


@pytest.mark.django_db
def test_signup_block_is_on_the_hub_the_article_and_its_own_page(client, live_article):
    for url in ["/en/", "/en/posts/pool-sizing/", "/en/newsletter/", "/ru/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert b'action="/' + url[1:3].encode() + b'/newsletter/subscribe/"' in response.content
        # No per-reader token: the page is the same for every reader, so caches can share it.
        assert b'name="csrfmiddlewaretoken"' not in response.content
        assert b'name="website"' in response.content


@pytest.mark.django_db
def test_signups_pause_with_a_clear_answer_while_the_cache_cannot_count(
    client, immediate_tasks, settings
):
    # A real Redis client aimed at a port nothing listens on: the cache is down.
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "sitewide.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        },
    }
    responses = [subscribe(client, f"r{n}@example.com") for n in range(RATE_LIMIT + 5)]
    assert {response.status_code for response in responses} == {503}
    assert b"try again in a few minutes" in responses[0].content
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
def test_a_confirmation_the_mail_server_did_not_take_is_sent_later(settings):
    # The mail server is away when the worker sends the link (nothing listens on its port).
    server = SMTPServer()
    settings.EMAIL_BACKEND = "newsletter.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 2
    subscriber = Subscriber.objects.create(
        email="late@example.org", confirmation_sent_at=timezone.now()
    )
    send_confirmation.call(subscriber.pk)
    [retry] = DBTaskResult.objects.filter(task_path=send_confirmation.module_path)
    assert retry.args_kwargs["args"] == [subscriber.pk, 1]
    assert retry.run_after > timezone.now() + timedelta(seconds=20)

    # Back before the retry: the reader gets the link without asking again.
    server.start()
    try:
        send_confirmation.call(*retry.args_kwargs["args"])
        server.wait_for(1)
    finally:
        server.stop()
    assert server.sink.received["late@example.org"] == 1
    assert DBTaskResult.objects.count() == 1  # no further retry


@pytest.mark.django_db
def test_after_the_last_retry_the_reader_may_ask_again_at_once(client, settings, immediate_tasks):
    settings.EMAIL_BACKEND = "newsletter.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", SMTPServer().port  # nobody there
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 2
    subscriber = Subscriber.objects.create(
        email="late@example.org", confirmation_sent_at=timezone.now()
    )
    with pytest.raises(ConnectionRefusedError):
        send_confirmation.call(subscriber.pk, CONFIRMATION_RETRIES)
    subscriber.refresh_from_db()
    assert subscriber.confirmation_sent_at is None  # the window no longer holds the reader
