"""Readers brought over from another newsletter service, from its CSV export.

Ghost, Mailchimp, Substack and Buttondown each name their columns their own way; what we need
is the address, whether the reader still receives mail there, and the evidence of consent
(when and where they signed up, when they confirmed). A reader whose export shows that
evidence can be imported as confirmed with it on record; anyone else is asked to confirm
(double opt-in). An address we know is never re-subscribed by an import: an unsubscribed or
suppressed reader stays so, and duplicates are reported.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_ipv46_address
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from newsletter.models import Subscriber, normalise_email, refresh_confirmed_count

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000

# What each service's export calls things; the first format whose columns are all present wins.
FORMATS = {
    "ghost": {"email": "email", "subscribed": "subscribed_to_emails", "since": "created_at"},
    "mailchimp": {
        "email": "Email Address",
        "since": "OPTIN_TIME",
        "ip": "OPTIN_IP",
        "confirmed": "CONFIRM_TIME",
        "confirm_ip": "CONFIRM_IP",
        "left": "UNSUB_TIME",
        "cleaned": "CLEAN_TIME",
    },
    "substack": {
        "email": "email",
        "disabled": "email_disabled",
        "active": "active_subscription",
        "since": "created_at",
    },
    "buttondown": {"email": "email", "type": "subscriber_type", "since": "creation_date"},
    "csv": {"email": "email"},
}
REQUIRED = {
    "ghost": ("email", "subscribed"),
    "mailchimp": ("email",),
    "substack": ("email", "disabled"),
    "buttondown": ("email", "type"),
    "csv": ("email",),
}
# Buttondown's subscriber types that still receive mail, and those that never may again.
BUTTONDOWN_RECEIVING = {"regular", "premium", "gifted", "trialed", "churning", "past_due"}
BUTTONDOWN_GONE = {"unsubscribed", "removed", "undeliverable", "spammy", "blocked", "malicious"}
TRUE = {"true", "1", "yes", "y", "t"}


class UnreadableExportError(ValueError):
    pass


@dataclass
class Row:
    line: int
    email: str
    receiving: bool
    since: datetime | None = None
    confirmed: datetime | None = None
    ip: str | None = None


@dataclass
class Report:
    source: str
    confirmed: list[str] = field(default_factory=list)  # imported with their consent record
    to_confirm: list[str] = field(default_factory=list)  # pending, asked to confirm
    duplicates: list[str] = field(default_factory=list)  # twice in the file
    known: list[tuple[str, str]] = field(default_factory=list)  # (address, status we keep)
    not_receiving: list[str] = field(default_factory=list)  # unsubscribed in the source
    invalid: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def read_rows(data):
    """(format name, rows) of a CSV export; UnreadableExportError says what is wrong."""
    if len(data) > MAX_BYTES:
        raise UnreadableExportError(
            gettext("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 1024 // 1024}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableExportError(
            gettext("The file is not UTF-8 text (export it as CSV, UTF-8).")
        ) from error
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = {name.strip() for name in reader.fieldnames or []}
    except csv.Error as error:
        raise UnreadableExportError(gettext("The file is not CSV.")) from error
    source = detect(header)
    columns = FORMATS[source]
    rows = []
    try:
        for number, record in enumerate(reader, start=2):
            if number > MAX_ROWS + 1:
                raise UnreadableExportError(
                    gettext("The file has more than %(rows)s readers; split it.")
                    % {"rows": MAX_ROWS}
                )
            record = {(key or "").strip(): (value or "").strip() for key, value in record.items()}
            rows.append(parse_row(source, columns, number, record))
    except csv.Error as error:
        raise UnreadableExportError(
            gettext("Line %(line)s is not valid CSV.") % {"line": reader.line_num}
        ) from error
    return source, rows


def detect(header):
    for source, needed in REQUIRED.items():
        if all(FORMATS[source][key] in header for key in needed):
            return source
    raise UnreadableExportError(
        gettext(
            "No column of e-mail addresses: expected an export of Ghost, Mailchimp, Substack "
            "or Buttondown, or a CSV with an “email” column."
        )
    )


def parse_row(source, columns, number, record):
    def value(key):
        return record.get(columns.get(key, ""), "")

    receiving = True
    if source == "ghost":
        receiving = value("subscribed").lower() in TRUE
    elif source == "mailchimp":
        receiving = not (value("left") or value("cleaned"))
    elif source == "substack":
        receiving = value("disabled").lower() not in TRUE
    elif source == "buttondown":
        kind = value("type").lower()
        receiving = kind not in BUTTONDOWN_GONE
    confirmed = when(value("confirmed"))
    if source == "buttondown" and value("type").lower() in BUTTONDOWN_RECEIVING:
        confirmed = when(value("since"))
    return Row(
        line=number,
        email=value("email"),
        receiving=receiving,
        since=when(value("since")),
        confirmed=confirmed,
        ip=address(value("confirm_ip")) or address(value("ip")),
    )


def when(text):
    if not text:
        return None
    try:
        moment = parse_datetime(text.replace(" UTC", "").replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)  # the services export in UTC
    return moment


def address(text):
    try:
        validate_ipv46_address(text)
    except ValidationError:
        return None
    return text


def has_consent_record(source, row):
    """The export shows when this reader agreed, and (but for Mailchimp's) that they confirmed."""
    if source == "csv" or row.since is None:
        return False
    if source == "buttondown":
        return row.confirmed is not None
    return True


@transaction.atomic
def import_subscribers(data, language, keep_consent, filename=""):
    """Apply an export: (the Report, the new pending readers, who are sent a confirmation)."""
    source, rows = read_rows(data)
    report = Report(source=source)
    fresh = {}
    for row in rows:
        try:
            validate_email(row.email)
        except ValidationError:
            report.invalid.append((row.line, row.email or "(empty)"))
            continue
        email = normalise_email(row.email)
        if email.lower() in fresh or email in report.not_receiving:
            report.duplicates.append(email)
        elif not row.receiving:
            report.not_receiving.append(email)
        else:
            fresh[email.lower()] = (email, row)
    for known in known_subscribers(list(fresh)):
        email, _row = fresh.pop(known.email.lower())
        report.known.append((email, known.get_status_display()))
    new = []
    for email, row in fresh.values():
        proven = keep_consent and has_consent_record(source, row)
        new.append(subscriber(source, row, email, language, proven, filename))
        (report.confirmed if proven else report.to_confirm).append(email)
    created = Subscriber.objects.bulk_create(new, batch_size=500)
    refresh_confirmed_count()
    return report, [reader for reader in created if reader.status == Subscriber.Status.PENDING]


def known_subscribers(addresses, chunk=500):
    for start in range(0, len(addresses), chunk):
        yield from Subscriber.objects.alias(email_lower=Lower("email")).filter(
            email_lower__in=addresses[start : start + chunk]
        )


def subscriber(source, row, email, language, proven, filename):
    imported = f"import:{source}"
    return Subscriber(
        email=email,
        language=language,
        status=Subscriber.Status.CONFIRMED if proven else Subscriber.Status.PENDING,
        consent_at=row.since if proven else timezone.now(),
        consent_page=f"{imported}:{filename}"[:300],
        consent_language=language,
        consent_wording=imported[:20],
        consent_ip=row.ip if proven else None,
        confirmed_at=(row.confirmed or row.since) if proven else None,
    )
