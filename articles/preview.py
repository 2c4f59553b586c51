"""Signed, expiring preview links: anyone holding one may read an unpublished article.

A link names the article and its preview version; an editor revokes every link given out
so far by raising the version (and unpublishing does so too).
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

SALT = "articles.preview"


def preview_token(article):
    return signing.dumps([article.pk, article.preview_version], salt=SALT, compress=True)


def preview_key_from_token(token):
    """(pk, preview version), or None for a tampered, foreign or expired token."""
    max_age = timedelta(days=settings.PREVIEW_LINK_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too.
        return None
    if isinstance(payload, int):  # a link made before links had versions
        payload = [payload, 0]
    if (
        isinstance(payload, list)
        and len(payload) == 2
        and all(type(part) is int for part in payload)
    ):
        return tuple(payload)
    return None


def preview_url(article, language):
    with translation.override(language):
        path = reverse("articles:preview", kwargs={"token": preview_token(article)})
    return f"{settings.SITE_URL}{path}"
