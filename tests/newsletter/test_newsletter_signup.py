import pytest
from django.core import mail
from django.test import Client

from newsletter.models import SIGNUP_WORDING_VERSION, Subscriber
from newsletter.signup import RATE_LIMIT

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
