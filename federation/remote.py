"""Talking to other servers: signed requests that never reach a private address.

Every address we go to came from someone else's JSON, so each one is resolved and checked
first: no loopback, private, link-local or otherwise non-global address, except what
FEDERATION_ALLOWED_PRIVATE_ADDRESSES lists (as Mastodon's ALLOWED_PRIVATE_ADDRESSES).
Redirects are followed by hand, each hop checked again. Answers are read up to a size cap.
"""

import ipaddress
import json
import socket
from functools import cache
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.utils.functional import cached_property

from federation import signatures
from federation.signatures import CAVAGE, RFC9421, Message

ACTIVITY_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
ACCEPT = f"{ACTIVITY_JSON}, {LD_JSON}"
MAX_REDIRECTS = 3


class RemoteError(Exception):
    """The remote server could not be reached, refused us, or answered nonsense."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class ForbiddenAddressError(RemoteError):
    pass


@cache
def allowed_networks(value):
    return tuple(
        ipaddress.ip_network(item.strip(), strict=False)
        for item in value.split(",")
        if item.strip()
    )


def check_address(url):
    """Refuse unless every address the host resolves to is public or allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ForbiddenAddressError(f"Not a web address: {url[:100]}")
    if parts.scheme == "http" and not settings.FEDERATION_ALLOW_HTTP:
        raise ForbiddenAddressError("Plain http is not allowed")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise RemoteError(f"Unknown host {parts.hostname}") from error
    allowed = allowed_networks(settings.FEDERATION_ALLOWED_PRIVATE_ADDRESSES)
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address.is_global or any(address in network for network in allowed):
            continue
        raise ForbiddenAddressError(f"{parts.hostname} is a private address")


class Client:
    """Requests signed by one of our actors; remembers which signature each host accepts."""

    def __init__(self, actor, session=None):
        self.actor = actor
        self.session = session or requests.Session()

    @cached_property
    def private_key(self):
        return self.actor.private_key()

    def get_json(self, url, *, style=None):
        response = self.request("GET", url, style=style)
        try:
            document = json.loads(response)
        except ValueError as error:
            raise RemoteError("The answer is not JSON") from error
        if not isinstance(document, dict):
            raise RemoteError("The answer is not a JSON object")
        return document

    def post(self, url, body, *, style=None):
        """POST `body` signed in `style`, else the other way (double knock); returns the one
        that worked."""
        return self.knock("POST", url, body=body, style=style)

    def request(self, method, url, *, style=None):
        content, _style = self._knocking(method, url, b"", style)
        return content

    def knock(self, method, url, *, body=b"", style=None):
        _content, used = self._knocking(method, url, body, style)
        return used

    def _knocking(self, method, url, body, style):
        first = style or CAVAGE
        other = RFC9421 if first == CAVAGE else CAVAGE
        try:
            return self._send(method, url, body, first), first
        except RemoteError as error:
            # 401/403 may be a server that speaks the other dialect: knock once more.
            if error.status not in (400, 401, 403):
                raise
        return self._send(method, url, body, other), other

    def _send(self, method, url, body, style):
        for _hop in range(MAX_REDIRECTS + 1):
            check_address(url)
            message = Message(
                method,
                url,
                {"Accept": ACCEPT, "User-Agent": f"engineering-insights (+{settings.SITE_URL})"}
                | ({"Content-Type": ACTIVITY_JSON} if method == "POST" else {}),
                body,
            )
            signatures.sign(
                message, key_id=self.actor.key_id, private_key=self.private_key, style=style
            )
            try:
                response = self.session.request(
                    method,
                    url,
                    data=body if method == "POST" else None,
                    headers=dict(message.headers),
                    timeout=settings.FEDERATION_TIMEOUT,
                    allow_redirects=False,
                    stream=True,
                )
            except requests.RequestException as error:
                raise RemoteError(f"{type(error).__name__}: {error}"[:300]) from error
            with response:
                if method == "GET" and response.is_redirect and response.headers.get("location"):
                    url = urljoin(url, response.headers["location"])
                    continue
                content = read_capped(response)
                if response.status_code >= 300:
                    raise RemoteError(
                        f"{response.status_code} {content[:200].decode('utf-8', 'replace')}",
                        status=response.status_code,
                    )
                return content
        raise RemoteError("Too many redirects")


def read_capped(response):
    limit = settings.FEDERATION_MAX_DOCUMENT_BYTES
    content = b""
    for chunk in response.iter_content(64 * 1024):
        content += chunk
        if len(content) > limit:
            raise RemoteError("The answer is too large")
    return content
