"""The Content-Security-Policy: one static header, the same bytes for every reader and process.

No nonce, so pages stay cacheable; the theme's one inline script is allowed by the hash of
its exact text. (django-csp builds its header from a set, so its directive order changes
from one process to the next; a cached page must not depend on which server made it.)
"""

import base64
import hashlib
from pathlib import Path

from django.conf import settings

# Included verbatim by base.html, so the hash of the file is the hash of the script.
THEME_SCRIPT = Path(__file__).resolve().parent.parent / "templates" / "theme_script.js"


def script_hash(text):
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


THEME_SCRIPT_HASH = script_hash(THEME_SCRIPT.read_text(encoding="utf-8"))


def policy(directives):
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = policy(settings.CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response
