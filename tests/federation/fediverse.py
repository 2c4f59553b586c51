"""Fake fediverse servers on loopback, for the federation tests and the bench.

Each `RemoteServer` is a real HTTP server in a thread with accounts (actor documents with
their own RSA keys) and a shared inbox that records what it is sent. It checks our
signatures the way Mastodon does (app/lib/signed_request.rb), written here independently of
federation.signatures: the date signed and fresh, a POST's digest signed and matching, a
GET's host signed, RSA-SHA256 over the signing string, the key fetched from our actor.
Modes make it a server in authorized-fetch mode, one that refuses draft-cavage, one that
fails a few times before it recovers, or one whose inbox is gone (410).
"""

import base64
import hashlib
import itertools
import json
import re
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from http_message_signatures import HTTPMessageVerifier, HTTPSignatureKeyResolver, algorithms

_KEYS = {}
_numbers = itertools.count(1)


def key_pair(slot=0):
    """RSA keys made once per process: generating one costs a tenth of a second."""
    if slot not in _KEYS:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _KEYS[slot] = (key, private.decode(), public.decode())
    return _KEYS[slot]


class Account:
    def __init__(self, server, name, slot):
        self.server = server
        self.name = name
        self.key, _private, self.public_pem = key_pair(slot)

    @property
    def uri(self):
        return f"{self.server.url}/users/{self.name}"

    @property
    def key_id(self):
        return f"{self.uri}#main-key"

    @property
    def inbox(self):
        return f"{self.uri}/inbox"

    def document(self):
        return {
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": self.uri,
            "type": "Person",
            "preferredUsername": self.name,
            "name": self.name.title(),
            "inbox": self.inbox,
            "endpoints": {"sharedInbox": self.server.shared_inbox},
            "publicKey": {"id": self.key_id, "owner": self.uri, "publicKeyPem": self.public_pem},
        }

    def activity(self, kind, target, **extra):
        return {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{self.uri}/activities/{next(_numbers)}",
            "type": kind,
            "actor": self.uri,
            "object": target,
        } | extra

    def cavage_headers(self, url, body, *, method="POST", date=None, key=None):
        """Headers of a draft-cavage signed request, made the way Mastodon makes them."""
        path = re.sub(r"^https?://[^/]+", "", url) or "/"
        host = re.match(r"^https?://([^/]+)", url).group(1)
        date = format_datetime(date or datetime.now(UTC), usegmt=True)
        digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        signed = f"(request-target): {method.lower()} {path}\nhost: {host}\ndate: {date}"
        names = "(request-target) host date"
        if method == "POST":
            signed += f"\ndigest: {digest}"
            names += " digest"
        signature = (key or self.key).sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
        headers = {
            "Host": host,
            "Date": date,
            "Signature": f'keyId="{self.key_id}",algorithm="rsa-sha256",headers="{names}",'
            f'signature="{base64.b64encode(signature).decode()}"',
            "Content-Type": "application/activity+json",
        }
        if method == "POST":
            headers["Digest"] = digest
        return headers


class _Keys(HTTPSignatureKeyResolver):
    def __init__(self, public_key):
        self.public_key = public_key

    def resolve_public_key(self, key_id):
        return self.public_key


class RemoteServer:
    """A fediverse server on 127.0.0.1: accounts, a shared inbox, and a way of answering."""

    def __init__(self, *, authorized_fetch=False, refuse_cavage=False, fail_first=0, gone=False):
        self.authorized_fetch = authorized_fetch
        self.refuse_cavage = refuse_cavage
        self.fail_first = fail_first
        self.gone = gone
        self.accounts = {}
        self.received = []  # (path, headers, activity) of every accepted POST
        self.refused = []  # (path, reason) of every refused request
        self.gets = []
        self.lock = threading.Lock()
        # Our actors' keys, fetched from our site the first time a signature names them.
        self.key_source = None
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def shared_inbox(self):
        return f"{self.url}/inbox"

    def account(self, name, slot=None):
        if name not in self.accounts:
            self.accounts[name] = Account(self, name, slot if slot is not None else 1)
        return self.accounts[name]

    def activities(self, kind=None):
        return [item for _path, _headers, item in self.received if kind in (None, item["type"])]

    # ---------------------------------------------------------------- Mastodon's checks

    def check_signature(self, method, path, headers, body):
        """None when the request passes Mastodon's rules, else why it does not."""
        if "signature-input" in headers:
            return self._check_rfc9421(method, path, headers, body)
        if self.refuse_cavage:
            return "cavage refused"
        header = headers.get("signature")
        if not header:
            return "unsigned"
        params = dict(re.findall(r'(\w+)="([^"]*)"', header))
        names = params.get("headers", "date").split()
        if "date" not in names:
            return "date not signed"
        date = parsedate_to_datetime(headers.get("date", ""))
        if abs(datetime.now(UTC) - date) > timedelta(hours=1):
            return "stale"
        if method == "POST":
            if "digest" not in names:
                return "digest not signed"
            expected = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
            if headers.get("digest") != expected:
                return "digest mismatch"
        if method == "GET" and "host" not in names:
            return "host not signed"
        lines = []
        for name in names:
            if name == "(request-target)":
                lines.append(f"(request-target): {method.lower()} {path}")
            else:
                lines.append(f"{name}: {headers.get(name, '')}")
        key = self.key_for(params.get("keyId", ""))
        if key is None:
            return "unknown key"
        try:
            key.verify(
                base64.b64decode(params["signature"]),
                "\n".join(lines).encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except Exception:
            return "bad signature"
        return None

    def _check_rfc9421(self, method, path, headers, body):
        match = re.search(r'keyid="([^"]+)"', headers["signature-input"])
        key = self.key_for(match.group(1)) if match else None
        if key is None:
            return "unknown key"

        class Request:
            pass

        request = Request()
        request.method = method
        request.url = f"{self.url}{path}"
        request.headers = dict(headers)
        required = ["@method", "@target-uri"] + (["content-digest"] if method == "POST" else [])
        verifier = HTTPMessageVerifier(
            signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=_Keys(key)
        )
        try:
            results = verifier.verify(
                request,
                require_components=required,
                body=body if method == "POST" else None,
            )
        except Exception as error:
            return f"bad rfc9421 signature: {error}"
        if not all("created" in result.parameters for result in results):
            return "created not signed"
        return None

    def key_for(self, key_id):
        pem = self.key_source(key_id) if self.key_source else None
        return serialization.load_pem_public_key(pem.encode()) if pem else None

    # ---------------------------------------------------------------- HTTP

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _headers(self):
                return {name.lower(): value for name, value in self.headers.items()}

            def _answer(self, status, document=None):
                body = json.dumps(document).encode() if document is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/activity+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                headers = self._headers()
                with server.lock:
                    server.gets.append((self.path, headers))
                if server.authorized_fetch:
                    reason = server.check_signature("GET", self.path, headers, b"")
                    if reason:
                        with server.lock:
                            server.refused.append((self.path, reason))
                        return self._answer(401, {"error": reason})
                match = re.match(r"^/users/([\w-]+)$", self.path)
                account = server.accounts.get(match.group(1)) if match else None
                if account is None:
                    return self._answer(404, {"error": "not found"})
                return self._answer(200, account.document())

            def do_POST(self):
                headers = self._headers()
                body = self.rfile.read(int(headers.get("content-length", "0")))
                if server.gone:
                    return self._answer(410, {"error": "gone"})
                with server.lock:
                    if server.fail_first > 0:
                        server.fail_first -= 1
                        return self._answer(500, {"error": "down for a moment"})
                reason = server.check_signature("POST", self.path, headers, body)
                if reason:
                    with server.lock:
                        server.refused.append((self.path, reason))
                    return self._answer(401, {"error": reason})
                with server.lock:
                    server.received.append((self.path, headers, json.loads(body)))
                return self._answer(202)

        return Handler


def signed_message(account, url, body, style):
    """A request signed by `account` the way our own client signs (for RFC 9421 tests)."""
    from federation import signatures

    message = signatures.Message("POST", url, {"Content-Type": "application/activity+json"}, body)
    return signatures.sign(message, key_id=account.key_id, private_key=account.key, style=style)
