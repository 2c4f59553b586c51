"""Signed, expiring preview links: anyone holding one may read an unpublished article."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

SALT = "articles.preview"


def preview_token(article):
    return signing.dumps(article.pk, salt=SALT, compress=True)


def article_pk_from_token(token):
    """The article's pk, or None for a tampered, foreign or expired token."""
    max_age = timedelta(days=settings.PREVIEW_LINK_MAX_AGE_DAYS)
    try:
        pk = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too.
        return None
    return pk if isinstance(pk, int) else None


def preview_url(article, language):
    with translation.override(language):
        path = reverse("articles:preview", kwargs={"token": preview_token(article)})
    return f"{settings.SITE_URL}{path}"
