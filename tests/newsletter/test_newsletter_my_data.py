"""A reader gets what we hold about them from the unsubscribe page; editors get the list."""

import json

from django.core.signing import Signer

from newsletter.models import Delivery, Issue, Subscriber
from newsletter.tokens import unsubscribe_token


def reader_with_history(make_subscriber):
    reader = make_subscriber(
        email="reader@example.com", consent_page="/ru/", consent_ip="198.51.100.4", language="ru"
    )
    issue = Issue.objects.create(subject="Weekly, issue 1")
    Delivery.objects.create(issue=issue, subscriber=reader, status=Delivery.Status.SENT)
    return reader


def test_the_unsubscribe_page_offers_the_readers_data(client, make_subscriber):
    reader = reader_with_history(make_subscriber)
    page = client.get(f"/en/newsletter/unsubscribe/{unsubscribe_token(reader)}/")
    link = f"/en/newsletter/unsubscribe/{unsubscribe_token(reader)}/data.json"
    assert link.encode() in page.content
    assert "Download what we hold about you" in page.content.decode()


def test_the_reader_downloads_everything_we_hold(client, make_subscriber):
    reader = reader_with_history(make_subscriber)
    make_subscriber(email="someone-else@example.com")
    response = client.get(f"/ru/newsletter/unsubscribe/{unsubscribe_token(reader)}/data.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "no-cache" in response["Cache-Control"]
    held = json.loads(response.content)
    assert held["email"] == "reader@example.com"
    assert held["consent_ip"] == "198.51.100.4"
    assert held["consent_page"] == "/ru/"
    assert held["status"] == Subscriber.Status.CONFIRMED
    assert held["deliveries"] == [
        {"issue": "Weekly, issue 1", "status": "sent", "sent_at": None, "attempts": 0, "error": ""}
    ]
    # Every stored field is there, except our id and the key of the reader's own links.
    names = {field.name for field in Subscriber._meta.concrete_fields} - {"id", "key"}
    assert names <= set(held)
    assert "someone-else" not in response.content.decode()
    assert str(reader.key) not in response.content.decode()


def test_a_forged_or_broken_link_gets_nothing(client, make_subscriber):
    reader = reader_with_history(make_subscriber)
    forged = Signer(salt="another.salt").sign(str(reader.key))
    for token in (forged, "nonsense", unsubscribe_token(reader) + "x"):
        response = client.get(f"/en/newsletter/unsubscribe/{token}/data.json")
        assert response.status_code == 400
        assert b"reader@example.com" not in response.content


def test_editors_export_the_subscriber_list_as_csv(admin_client, make_subscriber):
    reader = reader_with_history(make_subscriber)
    response = admin_client.post(
        "/admin/newsletter/subscriber/",
        {"action": "export_csv", "_selected_action": [reader.pk]},
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("email,status,language,consent_at")
    assert lines[1].startswith("reader@example.com,confirmed,ru,")
