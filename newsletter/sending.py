"""Sending an issue so that every confirmed reader gets it exactly once.

Every (issue, subscriber) pair has one Delivery row under a unique constraint. A worker
claims a batch of due rows for a lease (`NEWSLETTER_LEASE_SECONDS`, renewed while it works),
marks each row "being sent" just before its SMTP conversation, and "awaiting the answer"
just before the message's final dot (see newsletter/smtp.py); a claim whose worker died
simply expires. After the lease, a row still "being sent" belonged to a worker killed before
the dot: the server has nothing (it drops an unfinished message), so the row is due again. A
row still "awaiting the answer" had its dot sent and no answer recorded: nobody can know
whether that message left, so it becomes "unknown" and is not sent again (a second copy is
the worse mistake; the admin counts these). Every step is a write conditional on the claim, so
a worker whose row was taken over (it was slow, not dead) abandons the message before its dot.

Errors are judged per message: a 4xx is retried with a doubling delay for
`NEWSLETTER_RETRY_WINDOW`, a 5xx fails that one delivery with the server's reason, and a
lost or refused connection is reopened, or, if the server stays away, the whole sending
waits and tries again later. Nothing is ever marked failed against a dead connection.

Which task goes on with an issue is decided by `Issue.turn` (see `take_turn`): before a
task starts work it queues its own successor for when its lease ends, so a killed worker's
sending resumes by itself as soon as any worker runs, at most a lease after the kill.
"""

import contextlib
import logging
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as database
from django.db import transaction
from django.db.models import Case, Min, Q, Value, When
from django.utils import timezone

from newsletter.emails import IssueRenderer
from newsletter.models import Delivery, Issue, Subscriber
from newsletter.smtp import FinalDotWithheld

logger = logging.getLogger(__name__)


# What a failed attempt means for the message and for the connection.
PERMANENT = "permanent"  # this message will never go: fail the delivery
TEMPORARY = "temporary"  # this message may go later: retry the delivery
CONNECTION = "connection"  # the server is gone or refuses everyone: reconnect or wait
TAKEN_OVER = "taken over"  # another worker has the row now: leave it alone
UNANSWERED = "unanswered"  # the final dot went, the answer never came: fate unknown


@dataclass
class Outcome:
    kind: str
    reason: str


def classify(error):
    """Which kind of failure an exception from an email backend is."""
    reason = str(error)[:500]
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # One recipient per message, so this is that reader's mailbox speaking.
        code, text = next(iter(error.recipients.values()))
        kind = TEMPORARY if 400 <= code < 500 else PERMANENT
        return Outcome(kind, _smtp_reason(code, text))
    if isinstance(error, smtplib.SMTPSenderRefused):
        # The sender or the account is refused: true for every reader, so stop and wait.
        return Outcome(CONNECTION, _smtp_reason(error.smtp_code, error.smtp_error))
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        if code == 421 or isinstance(error, smtplib.SMTPAuthenticationError):
            return Outcome(CONNECTION, _smtp_reason(code, error.smtp_error))
        kind = TEMPORARY if 400 <= code < 500 else PERMANENT
        return Outcome(kind, _smtp_reason(code, error.smtp_error))
    if isinstance(error, AnymailRecipientsRefused):
        return Outcome(PERMANENT, reason)
    if isinstance(error, AnymailAPIError):
        status = error.status_code
        # No answer, throttling or a provider outage: try later; any other 4xx is about us.
        if status is None or status == 429 or status >= 500:
            return Outcome(CONNECTION, reason)
        return Outcome(PERMANENT, reason)
    # SMTPServerDisconnected, refused connections, timeouts, TLS failures.
    return Outcome(CONNECTION, reason or type(error).__name__)


SEND_ERRORS = (OSError, AnymailAPIError)  # smtplib.SMTPException is an OSError


def _smtp_reason(code, text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}"[:500]


def retry_delay(attempts):
    delay = settings.NEWSLETTER_RETRY_DELAY * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(delay, settings.NEWSLETTER_RETRY_MAX_DELAY))


def lease():
    return timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)


def add_recipients(issue):
    """A pending delivery for every confirmed subscriber; repeating it adds only newcomers."""
    # Only those without a row yet: every slice of a sending asks again (usually for none).
    subscribers = (
        Subscriber.objects.confirmed()
        .exclude(deliveries__issue=issue)
        .values_list("pk", flat=True)
        .iterator()
    )
    Delivery.objects.bulk_create(
        (Delivery(issue=issue, subscriber_id=pk) for pk in subscribers),
        ignore_conflicts=True,
        batch_size=500,
    )


def _due(now):
    """Deliveries a worker may claim now: waiting, and not held by a live claim."""
    return Q(status=Delivery.Status.PENDING) | Q(
        status=Delivery.Status.RETRYING, next_attempt_at__lte=now
    ), Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def mark_interrupted(issue):
    """Rows a worker left mid-conversation when it died (its claim expired).

    Before the final dot the server kept nothing: the row is due again. After it, whether the
    message left is unknowable: "unknown", keeping the claim's owner so that a worker that was
    only slow may still record the answer it gets.
    """
    now = timezone.now()
    expired = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    rows = issue.deliveries.filter(expired)
    unknown = rows.filter(status=Delivery.Status.AWAITING_REPLY).update(
        status=Delivery.Status.UNKNOWN, claimed_until=None
    )
    rows.filter(status=Delivery.Status.SENDING).update(
        status=Case(
            When(first_failed_at__isnull=True, then=Value(Delivery.Status.PENDING)),
            default=Value(Delivery.Status.RETRYING),
        ),
        next_attempt_at=now,
        claimed_by="",
        claimed_until=None,
    )
    return unknown


@contextlib.contextmanager
def sending_session():
    """PostgreSQL settings for the sending, undone after it.

    Three commits a message (start, final dot, outcome) without waiting for the disk flush:
    safe against a killed worker, since a commit the server has answered survives its
    client; only a crash of PostgreSQL itself could forget the last moments of bookkeeping.

    A statement of a killed worker that is still waiting (for a row lock) is cancelled once
    the server sees the client gone, instead of running afterwards: otherwise a worker killed
    before its final dot could still mark that message "awaiting the answer" after its death.
    """
    if database.vendor != "postgresql":
        yield
        return
    with database.cursor() as cursor:
        cursor.execute(
            "SET synchronous_commit TO OFF; SET client_connection_check_interval TO '1s'"
        )
    try:
        yield
    finally:
        with database.cursor() as cursor:
            cursor.execute("RESET synchronous_commit; RESET client_connection_check_interval")


class Batch:
    """One worker's claimed deliveries, sent over one (reopened when lost) connection."""

    def __init__(self, issue, worker, size):
        self.issue = issue
        self.worker = worker
        now = timezone.now()
        due = _due(now)
        candidates = list(
            issue.deliveries.filter(*due).order_by("pk").values_list("pk", flat=True)[:size]
        )
        self.found = len(candidates)
        self.lease_ends = now + lease()
        # The WHERE is checked again under the row lock: of two workers, one gets each row.
        Delivery.objects.filter(*due, pk__in=candidates).update(
            claimed_by=worker, claimed_until=self.lease_ends
        )
        self.renewed_at = now
        self.deliveries = list(
            Delivery.objects.filter(pk__in=candidates, claimed_by=worker)
            .select_related("subscriber")
            .order_by("pk")
        )
        self.connection = None

    def send(self, renderer):
        """Send every claimed delivery; False when the mail server could not be reached."""
        with sending_session():
            try:
                return self._send_all(renderer)
            finally:
                self.close()

    def _send_all(self, renderer):
        for index, delivery in enumerate(self.deliveries):
            self._renew_claims(self.deliveries[index:])
            if not self._start(delivery):
                continue  # its claim expired and another worker took it
            subscriber = delivery.subscriber
            if subscriber.status != Subscriber.Status.CONFIRMED:
                status = (
                    Delivery.Status.SUPPRESSED
                    if subscriber.status == Subscriber.Status.SUPPRESSED
                    else Delivery.Status.SKIPPED
                )
                self._finish(delivery, status=status, error=subscriber.suppressed_reason)
                continue
            outcome = self._deliver(delivery, renderer.message(subscriber))
            if outcome is None:
                self._finish(delivery, status=Delivery.Status.SENT, sent_at=timezone.now())
            elif outcome.kind == TAKEN_OVER:
                continue
            elif outcome.kind == UNANSWERED:
                self._finish(delivery, status=Delivery.Status.UNKNOWN, error=outcome.reason)
            elif outcome.kind == PERMANENT:
                self._fail(delivery, outcome.reason)
            else:
                self._retry(delivery, outcome.reason)
                if outcome.kind == CONNECTION:
                    self.release(self.deliveries[index + 1 :])
                    server_unreachable(self.issue, outcome.reason)
                    return False
        return True

    def _renew_claims(self, deliveries):
        """Keep the claim on what is left while this worker lives: a third of a lease at most
        passes between renewals, so a killed worker's rows are free a lease after the kill."""
        now = timezone.now()
        if now < self.renewed_at + lease() / 3:
            return
        self.renewed_at = now
        Delivery.objects.filter(
            pk__in=[delivery.pk for delivery in deliveries], claimed_by=self.worker
        ).update(claimed_until=now + lease())

    def _deliver(self, delivery, message):
        """None when the message left; else what went wrong, after one reconnection."""
        for _try in range(2):
            self.dot_sent = False
            try:
                if self.connection is None:
                    self.connection = get_connection()
                    self.connection.open()
                message.connection = self.connection
                if hasattr(self.connection, "before_final_dot"):
                    self.connection.before_final_dot = partial(self._dot_goes, delivery)
                else:
                    # A backend that cannot say when its message is handed over (an HTTP
                    # API): if the worker dies from here on, the message may have left. An
                    # error it raises is its answer, judged as before.
                    self._hand_over(delivery)
                self.connection.send_messages([message])
            except FinalDotWithheld:
                self.close()
                return Outcome(TAKEN_OVER, "")
            except SEND_ERRORS as error:
                outcome = classify(error)
                logger.warning("Issue %s: %s (%s)", self.issue.pk, outcome.reason, outcome.kind)
                if self.dot_sent and not isinstance(error, smtplib.SMTPResponseException):
                    # The dot went and the line broke before the answer: it may have arrived.
                    self.close()
                    return Outcome(UNANSWERED, outcome.reason)
                if outcome.kind != CONNECTION:
                    return outcome
                self.close()
            else:
                return None
        return outcome

    def _hand_over(self, delivery):
        """Record that the message is being handed over, or refuse if the row is not ours.

        From here on the message may have left: if this worker dies now, the row becomes
        "unknown" instead of being sent again.
        """
        handed_over = Delivery.objects.filter(
            pk=delivery.pk, claimed_by=self.worker, status__in=Delivery.IN_CONVERSATION
        ).update(status=Delivery.Status.AWAITING_REPLY, claimed_until=timezone.now() + lease())
        if not handed_over:
            raise FinalDotWithheld(delivery.pk)

    def _dot_goes(self, delivery):
        """The SMTP backend's moment before the final dot (see newsletter/smtp.py)."""
        self._hand_over(delivery)
        self.dot_sent = True

    def close(self):
        if self.connection is None:
            return
        with contextlib.suppress(SEND_ERRORS):  # it is gone either way
            self.connection.close()
        self.connection = None

    def _start(self, delivery):
        """Mark the row as in its SMTP conversation; False when this worker lost its claim."""
        return (
            Delivery.objects.filter(
                pk=delivery.pk,
                claimed_by=self.worker,
                status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING],
            ).update(status=Delivery.Status.SENDING, claimed_until=timezone.now() + lease())
            == 1
        )

    def _finish(self, delivery, **fields):
        # Also over "unknown": a slow worker's late answer is still the truth about its row.
        Delivery.objects.filter(pk=delivery.pk, claimed_by=self.worker).update(
            claimed_by="", claimed_until=None, **fields
        )

    def _fail(self, delivery, reason):
        self._finish(delivery, status=Delivery.Status.FAILED, error=reason)

    def _retry(self, delivery, reason):
        now = timezone.now()
        first = delivery.first_failed_at or now
        attempts = delivery.attempts + 1
        if now - first >= timedelta(seconds=settings.NEWSLETTER_RETRY_WINDOW):
            self._finish(delivery, status=Delivery.Status.FAILED, error=reason, attempts=attempts)
            return
        self._finish(
            delivery,
            status=Delivery.Status.RETRYING,
            error=reason,
            attempts=attempts,
            first_failed_at=first,
            next_attempt_at=now + retry_delay(attempts),
        )

    def release(self, deliveries):
        Delivery.objects.filter(
            pk__in=[delivery.pk for delivery in deliveries], claimed_by=self.worker
        ).exclude(status__in=Delivery.IN_CONVERSATION).update(claimed_by="", claimed_until=None)


def server_unreachable(issue, reason):
    """The whole sending waits; past the retry window, everyone still waiting fails."""
    now = timezone.now()
    issue.refresh_from_db(fields=["outage_since"])
    since = issue.outage_since or now
    waited = now - since
    if waited >= timedelta(seconds=settings.NEWSLETTER_RETRY_WINDOW):
        issue.deliveries.filter(
            status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING]
        ).update(
            status=Delivery.Status.FAILED,
            error=reason,
            first_failed_at=since,
            claimed_by="",
            claimed_until=None,
        )
    # Doubling waits, measured from the start of the outage.
    failures = max(1, int(waited / timedelta(seconds=settings.NEWSLETTER_RETRY_DELAY)))
    Issue.objects.filter(pk=issue.pk).update(
        outage_since=since,
        outage_error=reason[:300],
        outage_retry_at=now + retry_delay(failures.bit_length()),
    )


def server_reachable(issue):
    Issue.objects.filter(pk=issue.pk, outage_since__isnull=False).update(
        outage_since=None, outage_error="", outage_retry_at=None
    )


def send_batch(issue, worker="", size=None):
    """Claim and send one batch; return how many deliveries were due, or None on an outage."""
    batch = Batch(issue, worker or uuid.uuid4().hex, size or settings.NEWSLETTER_BATCH_SIZE)
    if batch.deliveries:
        reached = batch.send(IssueRenderer(issue))
        update_counts(issue)
        if not reached:
            return None
        server_reachable(issue)
    return batch.found


def update_counts(issue):
    progress = issue.progress()
    Issue.objects.filter(pk=issue.pk).update(
        sent_count=progress[Delivery.Status.SENT], failed_count=progress[Delivery.Status.FAILED]
    )


def next_run(issue):
    """When there may be work again: the earliest retry, claim expiry, or reconnection."""
    issue.refresh_from_db(fields=["outage_retry_at"])
    now = timezone.now()
    open_rows = issue.deliveries.filter(status__in=Delivery.OPEN)
    times = open_rows.aggregate(retry=Min("next_attempt_at"), claim=Min("claimed_until"))
    if open_rows.filter(status=Delivery.Status.PENDING, claimed_until__isnull=True).exists():
        times["pending"] = now
    candidates = [when for when in times.values() if when is not None]
    if issue.outage_retry_at and issue.outage_retry_at > now:
        return issue.outage_retry_at
    return max(min(candidates), now) if candidates else now


def send_issue_now(issue, worker="", seconds=None):
    """Send everything due now, or batches for about `seconds`; True when nothing is left
    open (the issue is then sent)."""
    worker = worker or uuid.uuid4().hex
    started = time.monotonic()
    add_recipients(issue)
    mark_interrupted(issue)
    while True:
        found = send_batch(issue, worker)
        if not found:  # nothing due, or the server is unreachable
            break
        if seconds is not None and time.monotonic() - started >= seconds:
            break
    mark_interrupted(issue)
    if issue.deliveries.filter(status__in=Delivery.OPEN).exists():
        return False
    update_counts(issue)
    Issue.objects.filter(
        pk=issue.pk, status__in=[Issue.Status.SCHEDULED, Issue.Status.SENDING]
    ).update(status=Issue.Status.SENT, sent_at=timezone.now(), turn="")
    return True


def new_turn():
    return uuid.uuid4().hex


def take_turn(issue_id, turn, enqueue):
    """Run one turn of an issue's sending; `enqueue(turn, when)` queues the next task.

    A task goes on only while its turn is the issue's current one, so stale tasks (an issue
    rescheduled, a watchdog whose worker finished) stop at once. Before working, the task
    queues a watchdog turn for when its lease ends, in the same transaction that takes the
    turn: if this worker dies, the watchdog resumes the sending; if the work outlasts the
    lease, a second worker may join in (claims keep them apart).
    """
    now = timezone.now()
    watchdog = new_turn()
    with transaction.atomic():
        took = Issue.objects.filter(
            pk=issue_id,
            turn=turn,
            status__in=[Issue.Status.SCHEDULED, Issue.Status.SENDING],
            scheduled_at__lte=now,
        ).update(status=Issue.Status.SENDING, turn=watchdog)
        if not took:
            return False
        enqueue(watchdog, now + lease())
    issue = Issue.objects.get(pk=issue_id)
    # A slice at a time: the page invalidation a change queues meanwhile runs between two
    # slices (newsletter tasks go after other work, see tasks.queue_turn), not after the
    # whole sending on a site with one worker.
    if send_issue_now(issue, seconds=settings.NEWSLETTER_SLICE_SECONDS):
        return True
    # Readers still due now, or waiting for a retry or a reconnection: queue the turn.
    follow_up = new_turn()
    with transaction.atomic():
        if Issue.objects.filter(pk=issue_id, turn=watchdog).update(turn=follow_up):
            enqueue(follow_up, next_run(issue))
    return True
