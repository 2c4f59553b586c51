"""What the mail provider tells us after sending: bounces, complaints, deliveries.

Events arrive through anymail's tracking webhooks (/anymail/<provider>/tracking/), which
anymail authenticates (basic auth with ANYMAIL_WEBHOOK_SECRET, plus the provider's
signature where it signs), and reach us through its `tracking` signal.
"""

from anymail.signals import EventType, tracking
from django.conf import settings
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone

from newsletter.models import Subscriber, refresh_confirmed_count

# Permanent: the address is suppressed at once.
SUPPRESSING = {EventType.BOUNCED, EventType.COMPLAINED, EventType.REJECTED}


def suppress(subscriber_rows, reason, when):
    changed = subscriber_rows.exclude(status=Subscriber.Status.SUPPRESSED).update(
        status=Subscriber.Status.SUPPRESSED,
        suppressed_at=when,
        suppressed_reason=reason[:300],
        updated_at=timezone.now(),
    )
    if changed:
        refresh_confirmed_count()
    return changed


def _reason(event, esp_name):
    kind = {
        EventType.BOUNCED: "hard bounce",
        EventType.COMPLAINED: "spam complaint",
        EventType.REJECTED: "rejected by the provider",
        EventType.DEFERRED: "soft bounces",
    }[event.event_type]
    detail = event.mta_response or event.description or event.reject_reason or ""
    return f"{kind} ({esp_name}){': ' if detail else ''}{detail}"


@receiver(tracking, dispatch_uid="newsletter.bounces")
def record_tracking_event(sender, event, esp_name, **kwargs):
    if not event.recipient:
        return
    rows = Subscriber.objects.with_email(event.recipient)
    when = event.timestamp or timezone.now()
    if event.event_type in SUPPRESSING:
        suppress(rows, _reason(event, esp_name), when)
    elif event.event_type == EventType.DEFERRED:
        # Soft bounces count only in a row: a delivered message starts the count again.
        rows.update(soft_bounces=F("soft_bounces") + 1)
        limit = settings.NEWSLETTER_SOFT_BOUNCE_LIMIT
        suppress(rows.filter(soft_bounces__gte=limit), _reason(event, esp_name), when)
    elif event.event_type == EventType.DELIVERED:
        rows.filter(soft_bounces__gt=0).update(soft_bounces=0)
