import threading

import pytest
from django.db import IntegrityError, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from newsletter.models import (
    Subscriber,
    confirmed_count,
    friendly_floor,
    normalise_email,
    refresh_confirmed_count,
)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  Ada@Example.COM\n", "Ada@example.com"),
        ("ada@example.com", "ada@example.com"),
        ("Ivan@Пример.РФ", "Ivan@пример.рф"),
    ],
)
def test_addresses_are_trimmed_with_the_domain_lower_cased(raw, stored):
    assert normalise_email(raw) == stored


@pytest.mark.django_db
def test_the_database_refuses_the_same_address_in_another_case(make_subscriber):
    make_subscriber(email="ada@example.com")
    with pytest.raises(IntegrityError):
        Subscriber.objects.create(email="ADA@example.com")


@pytest.mark.parametrize(
    ("confirmed", "shown"),
    [(0, None), (9, None), (10, 10), (87, 80), (450, 400), (5678, 5000), (123_456, 123_000)],
)
def test_the_count_is_rounded_down_to_a_friendly_figure(confirmed, shown):
    assert friendly_floor(confirmed) == shown


@pytest.mark.django_db
def test_the_count_on_the_page_leaves_out_pending_and_unsubscribed(client, make_subscriber):
    for _ in range(12):
        make_subscriber()
    for _ in range(30):
        make_subscriber(status=Subscriber.Status.PENDING)
        make_subscriber(status=Subscriber.Status.UNSUBSCRIBED)

    assert b"Join 10+ engineers." in client.get("/en/").content
    assert "Присоединяйтесь к 10+ инженерам." in client.get("/ru/").content.decode()


@pytest.mark.django_db
def test_a_small_list_shows_no_number(client, make_subscriber):
    make_subscriber()
    assert b"Join the engineers who read it." in client.get("/en/newsletter/").content


def signup_page_queries(client):
    client.get("/en/newsletter/")  # Warm the site-settings cache: count the steady state.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/newsletter/").status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_signup_block_reads_the_count_without_a_query(client, make_subscriber):
    for _ in range(3):
        make_subscriber()
    small = signup_page_queries(client)
    Subscriber.objects.bulk_create(
        Subscriber(email=f"bulk{n}@example.com", status="confirmed") for n in range(297)
    )
    refresh_confirmed_count()

    assert signup_page_queries(client) == small == 0
    assert b"Join 300+ engineers." in client.get("/en/newsletter/").content


@pytest.mark.django_db
def test_confirming_and_unsubscribing_update_the_count(make_subscriber):
    readers = [make_subscriber(status=Subscriber.Status.PENDING) for _ in range(11)]
    assert confirmed_count() == 0
    for reader in readers:
        reader.status = Subscriber.Status.CONFIRMED
        reader.save()
    assert confirmed_count() == 11
    readers[0].delete()
    readers[1].status = Subscriber.Status.UNSUBSCRIBED
    readers[1].save()
    assert confirmed_count() == 9


def test_an_unknown_count_shows_no_number():
    assert friendly_floor(None) is None


@pytest.mark.django_db(transaction=True)
def test_50_simultaneous_signups_of_one_address_leave_one_row_and_no_error(immediate_tasks):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    start = threading.Barrier(50)
    statuses = []

    def sign_up(number):
        try:
            client = Client(REMOTE_ADDR=f"10.1.0.{number}")
            start.wait()
            response = client.post("/en/newsletter/subscribe/", {"email": "Race@Example.com"})
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * 50
    assert list(Subscriber.objects.values_list("email", "status")) == [
        ("Race@example.com", "pending")
    ]


@pytest.mark.django_db
def test_the_count_is_grouped_the_way_each_language_writes_thousands(client):
    from django.core.cache import cache

    from newsletter.models import CONFIRMED_COUNT_KEY

    cache.set(CONFIRMED_COUNT_KEY, 5678, None)
    assert "Join 5,000+ engineers." in client.get("/en/").content.decode()
    assert "5\xa0000+ инженерам" in client.get("/ru/").content.decode()
