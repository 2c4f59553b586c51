"""The messages we send: each in its reader's language, HTML with a plain-text twin."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from articles.templatetags.article_tags import fallback_lang
from newsletter.tokens import confirm_token, unsubscribe_token


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(subscriber):
    token = unsubscribe_token(subscriber)
    return absolute(reverse("newsletter:unsubscribe", kwargs={"token": token}))


def _message(subscriber, subject, template, context, connection=None):
    unsubscribe = unsubscribe_url(subscriber)
    context = {**context, "subscriber": subscriber, "unsubscribe_url": unsubscribe}
    context.setdefault("site_url", absolute(reverse("home")))
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"newsletter/email/{template}.txt", context),
        to=[subscriber.email],
        connection=connection,
        headers={
            # RFC 8058: mail clients offer their own button and POST here without the page.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string(f"newsletter/email/{template}.html", context), "text/html"
    )
    return message


def confirmation_message(subscriber):
    with translation.override(subscriber.language):
        confirm = reverse("newsletter:confirm", kwargs={"token": confirm_token(subscriber)})
        return _message(
            subscriber,
            gettext("Confirm your subscription to Engineering insights"),
            "confirm",
            {"confirm_url": absolute(confirm)},
        )


def issue_message(issue, subscriber, articles=None, connection=None):
    """`articles` lets a batch fetch the featured articles once, not once per reader."""
    with translation.override(subscriber.language):
        articles = issue.featured() if articles is None else articles
        cards = [
            {
                "title": article.title,
                "summary": article.summary,
                "url": absolute(article.get_absolute_url()),
                "author": article.author.name,
                "published_at": article.published_at,
                "minutes": article.reading_minutes,
                # English shown in a Russian email is marked so, as on the site.
                "title_lang": fallback_lang(article, "title"),
                "summary_lang": fallback_lang(article, "summary"),
            }
            for article in articles
        ]
        return _message(
            subscriber,
            issue.subject,
            "issue",
            {"issue": issue, "intro": issue.intro, "articles": cards},
            connection=connection,
        )
