from django.core.management.base import BaseCommand
from django.utils import timezone

from articles.models import Article
from newsletter.models import (
    SIGNUP_WORDING_VERSION,
    Issue,
    Subscriber,
    refresh_confirmed_count,
)

# Demo content (our own), in the two editions the demo is written in.
DEMO_READERS = [
    ("ada@example.com", "en", Subscriber.Status.CONFIRMED),
    ("grace@example.com", "en", Subscriber.Status.CONFIRMED),
    ("linus@example.com", "en", Subscriber.Status.PENDING),
    ("ivan@example.ru", "ru", Subscriber.Status.CONFIRMED),
    ("olga@example.ru", "ru", Subscriber.Status.UNSUBSCRIBED),
]


class Command(BaseCommand):
    help = "Adds a few demo subscribers and a draft issue; running it again changes nothing."

    def handle(self, *args, **options):
        now = timezone.now()
        for email, language, status in DEMO_READERS:
            Subscriber.objects.get_or_create(
                email=email,
                defaults={
                    "language": language,
                    "status": status,
                    "consent_page": f"/{language}/",
                    "consent_language": language,
                    "consent_wording": SIGNUP_WORDING_VERSION,
                    "confirmed_at": now if status != Subscriber.Status.PENDING else None,
                    "unsubscribed_at": now if status == Subscriber.Status.UNSUBSCRIBED else None,
                },
            )
        if not Issue.objects.exists():
            issue = Issue.objects.create(
                subject_en="This week: pools, retries and flame graphs",
                subject_ru="На этой неделе: пулы, повторы и флейм-графы",
                intro_en="Three pieces on keeping busy services calm under load.",
                intro_ru="Три статьи о том, как сохранять спокойствие нагруженных сервисов.",
            )
            issue.articles.set(Article.objects.live()[:3])
        refresh_confirmed_count()
        self.stdout.write(f"Newsletter demo: {Subscriber.objects.count()} subscribers.")
