"""HTTP signatures on the requests we send and the ones we receive.

Two dialects, as the fediverse speaks them: draft-cavage ("Signature: keyId=…,headers=…")
over `(request-target) host date digest`, which every Mastodon understands, and RFC 9421
(`Signature-Input` + `Signature`, via the http-message-signatures library), which newer
servers prefer. Verification follows Mastodon's rules (app/lib/signed_request.rb): the date
(or `created`) must be signed, a POST must sign its digest and the digest must match the
body, a GET must sign the host; we accept a signature made up to 12 hours ago.
"""

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    algorithms,
)
from http_message_signatures.exceptions import HTTPMessageSignaturesException

CAVAGE = "cavage"
RFC9421 = "rfc9421"

MAX_AGE = timedelta(hours=12)
CLOCK_SKEW = timedelta(hours=1)


class SignatureError(Exception):
    """The request is unsigned, mis-signed, stale, or its key cannot be had."""


def http_date(moment):
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def sha256_digest(body):
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


class Message:
    """The parts of an HTTP request a signature covers, whichever library carries it."""

    def __init__(self, method, url, headers, body=b""):
        self.method = method.upper()
        self.url = url
        self.headers = CaseInsensitiveHeaders(headers)
        self.body = body or b""

    @property
    def request_target(self):
        parts = re.match(r"^[a-z]+://[^/?#]+([^#]*)", self.url)
        path = parts.group(1) if parts else "/"
        return f"{self.method.lower()} {path or '/'}"


class CaseInsensitiveHeaders(dict):
    """A header mapping that also behaves as the signature library expects."""

    def __init__(self, headers):
        super().__init__()
        for name, value in dict(headers).items():
            self[name] = value

    def __setitem__(self, name, value):
        super().__setitem__(name.lower(), value)

    def __getitem__(self, name):
        return super().__getitem__(name.lower())

    def __delitem__(self, name):
        super().__delitem__(name.lower())

    def __contains__(self, name):
        return super().__contains__(name.lower())

    def get(self, name, default=None):
        return super().get(name.lower(), default)


# ---------------------------------------------------------------------------- signing out


def sign(message, *, key_id, private_key, style=CAVAGE, now=None):
    """Add Host, Date, the body's digest and a signature in `style` to `message` (in place)."""
    now = now or datetime.now(UTC)
    host = re.match(r"^[a-z]+://([^/?#]+)", message.url).group(1)
    message.headers["Host"] = host
    message.headers["Date"] = http_date(now)
    if style == RFC9421:
        _sign_rfc9421(message, key_id=key_id, private_key=private_key, now=now)
    else:
        _sign_cavage(message, key_id=key_id, private_key=private_key)
    return message


def _sign_cavage(message, *, key_id, private_key):
    names = ["(request-target)", "host", "date"]
    if message.method == "POST":
        message.headers["Digest"] = sha256_digest(message.body)
        names.append("digest")
    signed = cavage_signing_string(message, names)
    signature = private_key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    message.headers["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(self, private_key=None, public_key=None):
        self.private_key = private_key
        self.public_key = public_key

    def resolve_private_key(self, key_id):
        return self.private_key

    def resolve_public_key(self, key_id):
        return self.public_key


def _sign_rfc9421(message, *, key_id, private_key, now):
    covered = ["@method", "@target-uri"]
    body = None
    if message.method == "POST":
        covered.append("content-digest")
        body = message.body
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=_OneKey(private_key)
    )
    signer.sign(
        message,
        key_id=key_id,
        created=now,
        label="sig1",
        covered_component_ids=covered,
        body=body,
    )


# ----------------------------------------------------------------------- verifying incoming

_CAVAGE_PARAM = re.compile(r'\s*([A-Za-z]+)="([^"]*)"\s*(?:,|$)')


def parse_cavage(header):
    params = {}
    position = 0
    while position < len(header):
        match = _CAVAGE_PARAM.match(header, position)
        if not match:
            raise SignatureError("Malformed Signature header")
        params[match.group(1)] = match.group(2)
        position = match.end()
    if not params.get("keyId") or not params.get("signature"):
        raise SignatureError("The signature needs keyId and signature")
    return params


def cavage_signing_string(message, names):
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {message.request_target}")
        else:
            value = message.headers.get(name)
            if value is None:
                raise SignatureError(f"Signed header {name} is missing")
            lines.append(f"{name}: {value}")
    return "\n".join(lines)


def style_of(message):
    return RFC9421 if "signature-input" in message.headers else CAVAGE


def key_id_of(message):
    """Whose key the signature claims, before anything is fetched."""
    if style_of(message) == RFC9421:
        match = re.search(r';\s*keyid="([^"]+)"', message.headers.get("signature-input", ""))
        if not match:
            raise SignatureError("The signature needs a keyid")
        return match.group(1)
    header = message.headers.get("signature")
    if not header:
        raise SignatureError("The request is not signed")
    return parse_cavage(header)["keyId"]


def verify(message, public_key_pem, *, now=None):
    """Raise SignatureError unless `message` carries a valid, fresh signature by this key."""
    now = now or datetime.now(UTC)
    try:
        public_key = serialization.load_pem_public_key(public_key_pem.encode())
    except ValueError as error:
        raise SignatureError("The key cannot be read") from error
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SignatureError("Only RSA keys are supported")
    if style_of(message) == RFC9421:
        _verify_rfc9421(message, public_key, now)
    else:
        _verify_cavage(message, public_key, now)


def _check_time(created, now):
    if created > now + CLOCK_SKEW or created < now - MAX_AGE:
        raise SignatureError("Signed request date outside the accepted window")


def _verify_cavage(message, public_key, now):
    params = parse_cavage(message.headers.get("signature", ""))
    algorithm = params.get("algorithm", "hs2019").lower()
    if algorithm not in ("rsa-sha256", "hs2019"):
        raise SignatureError("Unsupported signature algorithm")
    names = params.get("headers", "date").lower().split()
    if "date" in names:
        try:
            created = parsedate_to_datetime(message.headers.get("date", ""))
        except (TypeError, ValueError) as error:
            raise SignatureError("Invalid Date header") from error
        if created is None or created.tzinfo is None:
            raise SignatureError("Invalid Date header")
    elif "(created)" in names and algorithm == "hs2019" and params.get("created", "").isdigit():
        created = datetime.fromtimestamp(int(params["created"]), UTC)
        message.headers["(created)"] = params["created"]
    else:
        raise SignatureError("The date must be signed")
    _check_time(created, now)
    if "(request-target)" not in names:
        raise SignatureError("The request target must be signed")
    if message.method == "POST":
        if "digest" not in names:
            raise SignatureError("A POST must sign its digest")
        offered = {
            algo.strip().lower(): value.strip()
            for algo, _eq, value in (
                part.partition("=") for part in message.headers.get("digest", "").split(",")
            )
        }
        expected = base64.b64encode(hashlib.sha256(message.body).digest()).decode()
        if offered.get("sha-256") != expected:
            raise SignatureError("The digest does not match the body")
    if message.method == "GET" and "host" not in names:
        raise SignatureError("A GET must sign the host")
    try:
        signature = base64.b64decode(params["signature"], validate=True)
        public_key.verify(
            signature,
            cavage_signing_string(message, names).encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError) as error:
        raise SignatureError("The signature does not verify") from error


def _verify_rfc9421(message, public_key, now):
    verifier = HTTPMessageVerifier(
        signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=_OneKey(public_key=public_key)
    )
    required = ["@method", "@target-uri"]
    if message.method == "POST":
        required.append("content-digest")
    try:
        results = verifier.verify(
            message,
            max_age=MAX_AGE,
            require_components=required,
            body=message.body if message.method == "POST" else None,
        )
    except (HTTPMessageSignaturesException, ValueError, TypeError) as error:
        raise SignatureError(f"The signature does not verify: {error}") from error
    for result in results:
        created = result.parameters.get("created")
        if created is None:
            raise SignatureError("The signature must say when it was made")
        _check_time(datetime.fromtimestamp(int(created), UTC), now)
