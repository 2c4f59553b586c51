"""Hostile input in the address is refused before any view, database or cache sees it."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest

# Longer than any address this site makes (slugs, signed tokens); as much as nginx accepts.
MAX_PATH_LENGTH = 1024
MAX_QUERY_STRING_LENGTH = 8192
# No slug or token comes near it; a longer segment only makes file systems fail (media paths).
MAX_SEGMENT_BYTES = 255
# C0 and C1 controls, DEL and NUL: no page has a use for them, and PostgreSQL rejects NUL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class RejectHostileInputMiddleware:
    """400 for a path or query string with control characters, or longer than any real one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        query = request.META.get("QUERY_STRING", "")
        if len(path) > MAX_PATH_LENGTH or len(query) > MAX_QUERY_STRING_LENGTH:
            raise BadRequest("The address is too long.")
        if any(len(segment.encode()) > MAX_SEGMENT_BYTES for segment in path.split("/")):
            raise BadRequest("A part of the address is too long.")
        # Checked as the views will read them: decoded, whether they came escaped or raw.
        if CONTROL_CHARACTERS.search(path) or any(
            CONTROL_CHARACTERS.search(text)
            for key, values in request.GET.lists()
            for text in [key, *values]
        ):
            raise BadRequest("The address contains control characters.")
        return self.get_response(request)


class SiteHostMiddleware:
    """Every absolute link names SITE_URL's host, never the one a request claims.

    Django checks Host against ALLOWED_HOSTS without its port, and caches key pages by
    address: one request with `Host: 127.0.0.1:31337` would otherwise put that port into a
    cached feed or canonical link that every reader then gets. The Host is still checked
    (a foreign one is a 400), then replaced.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            # Only reads are cached; a form post keeps its host for the CSRF origin check.
            return self.get_response(request)
        claimed = request.META.get("HTTP_HOST", "")
        request.META["HTTP_HOST"] = urlsplit(settings.SITE_URL).netloc
        request.META.pop("HTTP_X_FORWARDED_HOST", None)
        if claimed:
            check = HttpRequest()
            check.META = {"HTTP_HOST": claimed, "SERVER_NAME": "", "SERVER_PORT": ""}
            # A host we do not serve is still a 400 (its error page names ours).
            check.get_host()
        return self.get_response(request)
