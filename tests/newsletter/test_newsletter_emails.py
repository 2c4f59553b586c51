import re

import pytest
from django.core import mail

from newsletter.models import Subscriber
from newsletter.tokens import confirm_token, unsubscribe_token


def html_part(message):
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


@pytest.mark.django_db
def test_confirmation_email_is_in_the_readers_language_with_both_parts_and_headers(
    client, immediate_tasks, site_url, clock
):
    # The link's signature holds the second it was made: the clock stands still, so the link
    # made again below is the same.
    client.post("/ru/newsletter/subscribe/", {"email": "chitatel@example.ru"})

    [message] = mail.outbox
    subscriber = Subscriber.objects.get()
    confirm = f"{site_url}/ru/newsletter/confirm/{confirm_token(subscriber)}/"
    unsubscribe = f"{site_url}/ru/newsletter/unsubscribe/{unsubscribe_token(subscriber)}/"
    assert message.to == ["chitatel@example.ru"]
    assert message.subject == "Подтвердите подписку на «Инженерные инсайты»"
    assert confirm in message.body
    assert "Ссылка действует три дня" in message.body
    assert f'href="{confirm}"' in html_part(message)
    assert '<html lang="ru">' in html_part(message)
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.django_db
def test_confirmation_link_is_signed_for_the_same_language_the_reader_signed_up_in(
    client, immediate_tasks, site_url
):
    client.post("/en/newsletter/subscribe/", {"email": "reader@example.com"})
    [message] = mail.outbox
    assert message.subject == "Confirm your subscription to Engineering insights"
    links = re.findall(r"https?://\S+", message.body)
    assert any("/en/newsletter/confirm/" in link for link in links)
    assert all(link.startswith(site_url) for link in links)


def test_english_text_in_a_russian_issue_is_marked_english(make_article):
    from newsletter.emails import issue_message
    from newsletter.models import Issue, Subscriber

    english_only = make_article(title_en="Pools", summary_en="Size them.")
    reader = Subscriber.objects.create(email="lena@example.org", status="confirmed", language="ru")
    issue = Issue.objects.create(subject_en="Weekly", subject_ru="Неделя")
    issue.articles.set([english_only])
    html = issue_message(issue, reader).alternatives[0][0]
    assert re.search(r'<a [^>]*lang="en"[^>]*>Pools</a>', html)
    assert re.search(r'<p class="summary"[^>]* lang="en"[^>]*>Size them.</p>', html)


def test_an_issue_email_reads_well_in_mail_clients(make_article, site_url):
    from newsletter.emails import issue_message
    from newsletter.models import Issue, Subscriber
    from sitewide.models import SiteSettings

    site = SiteSettings.load()
    site.name_en = "Field notes"
    site.save()
    reader = Subscriber.objects.create(email="ann@example.org", status="confirmed")
    issue = Issue.objects.create(subject_en="Weekly")
    issue.articles.set([make_article(title_en="Pools")])

    message = issue_message(issue, reader)

    html = html_part(message)
    # Inlined, for the clients that drop <style>.
    assert re.search(r'<h1 style="[^"]*font-size: 24px', html)
    assert "prefers-color-scheme: dark" in html
    assert '<meta name="color-scheme" content="light dark">' in html
    links = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert links
    assert all(link.startswith(site_url) for link in links)
    assert "Field notes" in html
    assert "Field notes newsletter" in message.body
    assert "Engineering insights" not in message.body + html
    assert "Pools" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{site_url}/en/newsletter/")
