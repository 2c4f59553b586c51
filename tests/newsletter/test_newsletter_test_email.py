import re

import pytest
from django.core import mail

from newsletter.models import Issue, Subscriber

LINK = re.compile(r"https?://[^\s\"<>]+/unsubscribe/[^\s\"<>]*")


@pytest.fixture
def editor(admin_user):
    admin_user.email = "editor@example.com"
    admin_user.save()
    return admin_user


@pytest.fixture
def sent_test(client, editor, live_article):
    issue = Issue.objects.create(subject_en="Weekly", subject_ru="Неделя", intro_en="Hello.")
    issue.articles.set([live_article])
    client.force_login(editor)
    form = {
        "subject_en": "Weekly",
        "subject_ru": "Неделя",
        "intro_en": "Hello.",
        "intro_ru": "",
        "articles": [live_article.pk],
        "scheduled_at_0": "",
        "scheduled_at_1": "",
        "_send_test": "1",
    }
    client.post(f"/admin/newsletter/issue/{issue.pk}/change/", form)
    client.logout()
    return mail.outbox


def links(message):
    html = message.alternatives[0][0]
    return {
        *LINK.findall(message.body),
        *LINK.findall(html),
        message.extra_headers["List-Unsubscribe"].strip("<>"),
    }


def test_a_test_emails_unsubscribe_links_lead_to_a_page_that_says_so(client, sent_test):
    english, russian = sent_test
    for message, words in ((english, "test email"), (russian, "тестовом письме")):
        for url in links(message):
            path = url.split("://", 1)[1].split("/", 1)[1]
            response = client.get(f"/{path}")
            assert response.status_code == 200, url
            assert words in response.content.decode()
            assert "damaged" not in response.content.decode()


def test_following_a_test_emails_one_click_unsubscribe_changes_nobody(
    client, sent_test, make_subscriber
):
    reader = make_subscriber()
    url = links(sent_test[0]).pop()
    response = client.post("/" + url.split("://", 1)[1].split("/", 1)[1])
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED


def test_the_newsletter_has_its_own_sender_and_reply_to(settings, sent_test):
    settings.NEWSLETTER_FROM_EMAIL = "Engineering insights <letters@example.org>"
    settings.NEWSLETTER_REPLY_TO = ["editors@example.org"]
    from newsletter.emails import issue_message

    issue = Issue.objects.get()
    message = issue_message(issue, Subscriber(email="r@example.org", language="en"))
    assert message.from_email == "Engineering insights <letters@example.org>"
    assert message.reply_to == ["editors@example.org"]
