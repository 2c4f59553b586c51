import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from newsletter.models import Subscriber


@pytest.fixture
def emails_sent_at_once(settings, live_server):
    # The live server runs in a thread of this process: the locmem outbox is shared.
    settings.TASKS = {
        **settings.TASKS,
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    settings.SITE_URL = live_server.url


def test_reader_subscribes_from_the_hub_confirms_then_unsubscribes(
    page, site, emails_sent_at_once, live_article
):
    page.goto(f"{site}/en/")
    block = page.get_by_role("region", name="Stay ahead")
    block.get_by_label("Email address").fill("reader@example.com")
    block.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    [message] = mail.outbox
    assert message.to == ["reader@example.com"]
    confirm_url = re.search(r"\S+/en/newsletter/confirm/\S+/", message.body).group(0)
    page.goto(confirm_url)
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING  # opening is not consent
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, you are subscribed")
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED

    unsubscribe_url = message.extra_headers["List-Unsubscribe"].strip("<>")
    page.goto(unsubscribe_url)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
