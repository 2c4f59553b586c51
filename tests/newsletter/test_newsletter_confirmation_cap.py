"""At most one confirmation email per address per window, counted in the database."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from newsletter.models import Subscriber

SUBSCRIBE = "/en/newsletter/subscribe/"


def sign_up(email, number=1):
    # A client per signup, from its own address: the per-client rate limit is not the cap.
    return Client(REMOTE_ADDR=f"10.2.0.{number}").post(SUBSCRIBE, {"email": email})


@pytest.mark.django_db
def test_signing_up_again_and_again_sends_one_confirmation_per_window(immediate_tasks):
    answers = {sign_up("again@example.com", number)["Location"] for number in range(5)}

    assert len(mail.outbox) == 1
    assert answers == {"/en/newsletter/check-your-inbox/"}
    assert Subscriber.objects.get().confirmation_sent_at is not None


@pytest.mark.django_db
def test_a_new_confirmation_goes_once_the_window_has_passed(immediate_tasks, settings):
    sign_up("later@example.com")
    past = timezone.now() - timedelta(seconds=settings.NEWSLETTER_CONFIRMATION_WINDOW + 1)
    Subscriber.objects.update(confirmation_sent_at=past)

    sign_up("later@example.com")

    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_cap_counts_the_address_however_it_is_written(immediate_tasks):
    sign_up("Mixed@Example.com")
    sign_up("  Mixed@EXAMPLE.COM ")
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_50_simultaneous_signups_of_one_address_send_one_confirmation(immediate_tasks):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    start = threading.Barrier(50)
    statuses = []

    def race(number):
        try:
            start.wait()
            statuses.append(sign_up("Flood@Example.com", number).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race, args=(number,)) for number in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * 50
    assert [message.to for message in mail.outbox] == [["Flood@example.com"]]
