"""The messages we send: each in its reader's language, HTML with a plain-text twin.

The HTML is written with a <style> block and inlined (css-inline) for mail clients that
drop <style>; the block stays for the dark-mode media query. Every link is absolute.
"""

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from articles.templatetags.article_tags import fallback_lang
from newsletter.tokens import confirm_token, unsubscribe_token
from sitewide.languages import shown_language
from sitewide.models import SiteSettings

_inliner = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)

# Stands in for a reader's own unsubscribe link while an issue is rendered once per language.
READER_LINK = "https://reader.invalid/unsubscribe/"


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(subscriber):
    if subscriber.pk is None:  # the stand-in reader of a test email
        return absolute(reverse("newsletter:unsubscribe_test"))
    token = unsubscribe_token(subscriber)
    return absolute(reverse("newsletter:unsubscribe", kwargs={"token": token}))


def _render(template, context):
    """The text and the inlined HTML of one email, in the active language."""
    context = {
        "site_name": SiteSettings.load().name,
        "site_url": absolute(reverse("home")),
        **context,
    }
    text = render_to_string(f"newsletter/email/{template}.txt", context)
    html = _inliner.inline(render_to_string(f"newsletter/email/{template}.html", context))
    return text, html


def _message(address, subject, text, html, unsubscribe, connection=None):
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.NEWSLETTER_FROM_EMAIL,
        reply_to=settings.NEWSLETTER_REPLY_TO,
        to=[address],
        connection=connection,
        headers={
            # RFC 8058: mail clients offer their own button and POST here without the page.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def confirmation_message(subscriber):
    with translation.override(subscriber.language):
        unsubscribe = unsubscribe_url(subscriber)
        confirm = reverse("newsletter:confirm", kwargs={"token": confirm_token(subscriber)})
        text, html = _render(
            "confirm", {"confirm_url": absolute(confirm), "unsubscribe_url": unsubscribe}
        )
        subject = gettext("Confirm your subscription to %(site)s") % {
            "site": SiteSettings.load().name
        }
        return _message(subscriber.email, subject, text, html, unsubscribe)


def _cards(articles):
    return [
        {
            "title": article.title,
            "summary": article.shown_summary,
            "url": absolute(article.get_absolute_url()),
            "image": absolute(article.cover_image.url) if article.cover_image else "",
            "image_alt": article.cover_alt,
            "author": article.author.name,
            "published_at": article.published_at,
            "minutes": article.reading_minutes,
            # Another language's text in this reader's email is marked so, as on the site.
            "title_lang": fallback_lang(article, "title"),
            "summary_lang": fallback_lang(article, "title"),
            "badge": (shown_language(article, "title") or "").upper()
            if fallback_lang(article, "title")
            else "",
        }
        # As the edition's pages: what an editor keeps off this language stays out.
        for article in articles
        if translation.get_language() not in article.hidden_languages
    ]


class IssueRenderer:
    """An issue rendered once per language; each reader's copy only gets its own link.

    A batch of a hundred readers costs two renders, not two hundred.
    """

    def __init__(self, issue, articles=None):
        self.issue = issue
        self.articles = list(issue.featured()) if articles is None else articles
        self._by_language = {}

    def _rendered(self, language):
        if language not in self._by_language:
            with translation.override(language):
                text, html = _render(
                    "issue",
                    {
                        "issue": self.issue,
                        "intro": self.issue.intro,
                        "articles": _cards(self.articles),
                        "unsubscribe_url": READER_LINK,
                    },
                )
                self._by_language[language] = (self.issue.subject, text, html)
        return self._by_language[language]

    def message(self, subscriber, connection=None):
        subject, text, html = self._rendered(subscriber.language)
        with translation.override(subscriber.language):
            unsubscribe = unsubscribe_url(subscriber)
        return _message(
            subscriber.email,
            subject,
            text.replace(READER_LINK, unsubscribe),
            html.replace(READER_LINK, unsubscribe),
            unsubscribe,
            connection,
        )


def issue_message(issue, subscriber, articles=None, connection=None):
    return IssueRenderer(issue, articles).message(subscriber, connection)
