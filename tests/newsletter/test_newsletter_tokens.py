import pytest
from django.test import Client

from newsletter.models import Subscriber
from newsletter.tokens import CONFIRM_MAX_AGE, confirm_token, unsubscribe_token


def made_ago(clock, seconds, make_token, subscriber):
    clock.shift(-seconds)
    token = make_token(subscriber)
    clock.shift(seconds)
    return token


@pytest.fixture
def pending(make_subscriber):
    return make_subscriber(email="pending@example.com", status=Subscriber.Status.PENDING)


def status_of(subscriber):
    subscriber.refresh_from_db()
    return subscriber.status


def test_opening_the_confirmation_link_does_not_confirm(client, pending):
    response = client.get(f"/en/newsletter/confirm/{confirm_token(pending)}/")
    assert response.status_code == 200
    assert b">Confirm</button>" in response.content
    assert status_of(pending) == Subscriber.Status.PENDING


def test_pressing_confirm_confirms_and_thanks(client, pending):
    response = client.post(f"/en/newsletter/confirm/{confirm_token(pending)}/", follow=True)
    assert response.redirect_chain == [("/en/newsletter/confirmed/", 302)]
    assert b"Thank you, you are subscribed" in response.content
    assert status_of(pending) == Subscriber.Status.CONFIRMED
    assert pending.confirmed_at is not None


def test_confirm_needs_the_csrf_token_of_its_page(pending):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/en/newsletter/confirm/{confirm_token(pending)}/").status_code == 403
    assert status_of(pending) == Subscriber.Status.PENDING


def test_expired_confirmation_link_offers_to_resend(client, pending, clock):
    token = made_ago(clock, CONFIRM_MAX_AGE.total_seconds() + 60, confirm_token, pending)
    response = client.post(f"/en/newsletter/confirm/{token}/")
    assert response.status_code == 400
    assert b"This link no longer works" in response.content
    assert b'action="/en/newsletter/subscribe/"' in response.content
    assert status_of(pending) == Subscriber.Status.PENDING


def test_a_day_old_confirmation_link_still_works(client, pending, clock):
    token = made_ago(clock, 24 * 3600, confirm_token, pending)
    client.post(f"/en/newsletter/confirm/{token}/")
    assert status_of(pending) == Subscriber.Status.CONFIRMED


@pytest.mark.parametrize("action", ["confirm", "unsubscribe"])
def test_a_token_for_one_subscriber_cannot_act_on_another(client, make_subscriber, action):
    mine = make_subscriber(email="me@example.com", status=Subscriber.Status.PENDING)
    theirs = make_subscriber(email="them@example.com", status=Subscriber.Status.PENDING)
    token = confirm_token(mine) if action == "confirm" else unsubscribe_token(mine)
    forged = token.replace(str(mine.key), str(theirs.key))

    response = client.post(f"/en/newsletter/{action}/{forged}/")

    assert response.status_code == 400
    assert status_of(theirs) == Subscriber.Status.PENDING
    assert status_of(mine) == Subscriber.Status.PENDING


def test_tampered_confirmation_link_is_refused(client, pending):
    response = client.post(f"/en/newsletter/confirm/{confirm_token(pending)}x/")
    assert response.status_code == 400
    assert status_of(pending) == Subscriber.Status.PENDING


def test_a_confirmation_token_cannot_unsubscribe(client, make_subscriber):
    reader = make_subscriber()
    response = client.post(f"/en/newsletter/unsubscribe/{confirm_token(reader)}/")
    assert response.status_code == 400
    assert status_of(reader) == Subscriber.Status.CONFIRMED


def test_an_old_confirmation_link_does_not_resubscribe_after_unsubscribing(client, make_subscriber):
    reader = make_subscriber(status=Subscriber.Status.UNSUBSCRIBED)
    response = client.post(f"/en/newsletter/confirm/{confirm_token(reader)}/")
    assert response.status_code == 400
    assert status_of(reader) == Subscriber.Status.UNSUBSCRIBED


def test_opening_the_unsubscribe_link_shows_a_button_and_changes_nothing(client, make_subscriber):
    reader = make_subscriber(email="reader@example.com")
    response = client.get(f"/en/newsletter/unsubscribe/{unsubscribe_token(reader)}/")
    assert response.status_code == 200
    assert b"reader@example.com" in response.content
    assert b">Unsubscribe</button>" in response.content
    assert status_of(reader) == Subscriber.Status.CONFIRMED


def test_one_click_unsubscribe_works_without_csrf_or_login_and_twice(make_subscriber):
    reader = make_subscriber()
    mail_client = Client(enforce_csrf_checks=True)
    url = f"/en/newsletter/unsubscribe/{unsubscribe_token(reader)}/"
    body = "List-Unsubscribe=One-Click"

    first = mail_client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert first.status_code == 200
    assert status_of(reader) == Subscriber.Status.UNSUBSCRIBED
    when = reader.unsubscribed_at

    second = mail_client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert second.status_code == 200
    assert status_of(reader) == Subscriber.Status.UNSUBSCRIBED
    assert reader.unsubscribed_at == when


def test_unsubscribe_links_never_expire(client, make_subscriber, clock):
    reader = make_subscriber()
    token = made_ago(clock, 3 * 365 * 24 * 3600, unsubscribe_token, reader)
    assert client.post(f"/en/newsletter/unsubscribe/{token}/").status_code == 200
    assert status_of(reader) == Subscriber.Status.UNSUBSCRIBED


DONE = {"en": "You are unsubscribed", "ru": "Вы отписались"}
ASKED = {"en": "Unsubscribe from the newsletter?", "ru": "Отписаться от рассылки?"}


@pytest.mark.parametrize("lang", DONE)
def test_the_link_opened_again_after_unsubscribing_says_it_is_done(client, make_subscriber, lang):
    reader = make_subscriber(language=lang)
    url = f"/{lang}/newsletter/unsubscribe/{unsubscribe_token(reader)}/"
    assert ASKED[lang] in client.get(url).content.decode()
    client.post(url)
    reader.refresh_from_db()
    left = (reader.status, reader.unsubscribed_at, reader.updated_at)

    page = client.get(url)

    html = page.content.decode()
    assert page.status_code == 200
    assert f'<html lang="{lang}"' in html
    assert DONE[lang] in html
    assert ASKED[lang] not in html
    assert '<form method="post">' not in html
    # What we hold is still the reader's to download.
    assert f'href="{url}data.json"' in html
    reader.refresh_from_db()
    assert (reader.status, reader.unsubscribed_at, reader.updated_at) == left


def test_a_reader_who_subscribed_again_is_asked_again_by_an_old_link(
    client, immediate_tasks, make_subscriber
):
    # The link works for ever and names the reader, not one subscription: once they are back,
    # it asks and unsubscribes them as the first time.
    reader = make_subscriber(email="back@example.com", status=Subscriber.Status.UNSUBSCRIBED)
    old_link = f"/en/newsletter/unsubscribe/{unsubscribe_token(reader)}/"
    client.post("/en/newsletter/subscribe/", {"email": "back@example.com", "page": "/en/"})
    client.post(f"/en/newsletter/confirm/{confirm_token(reader)}/")
    assert status_of(reader) == Subscriber.Status.CONFIRMED

    assert b">Unsubscribe</button>" in client.get(old_link).content
    assert status_of(reader) == Subscriber.Status.CONFIRMED
    client.post(old_link)
    assert status_of(reader) == Subscriber.Status.UNSUBSCRIBED
