from django.db import models
from django.utils import timezone
from modeltranslation.utils import build_localized_fieldname as localized

from sitewide.languages import current_language, site_languages

# Long texts a card never shows; loading them made the hub noticeably slower. Each translated
# text has its original column too (modeltranslation keeps `body` beside `body_en`), and the
# search vectors and an author's pending edit are as long as the body.
LONG_TEXTS = ("body", "body_html", "toc_html", "search")
CARD_SKIPS = [
    *("body", "body_html", "toc_html"),
    *(localized(field, language) for field in LONG_TEXTS for language in site_languages()),
    "translation_source",
    "pending_changes",
]


def live_q(prefix=""):
    """Published and due: the only articles the public may see.

    With a prefix such as "parts__article__" it reaches articles through a relation.
    """
    return models.Q(
        **{f"{prefix}status": "published", f"{prefix}published_at__lte": timezone.now()}
    )


def listed_q(prefix="", language=None):
    """Shown on the listings of `language` (the page's): not kept off them by an editor.

    An article missing in that language is listed too, marked with its own language, unless
    the editor keeps it off; the same rule in both directions.
    """
    code = language or current_language()
    return ~models.Q(**{f"{prefix}hidden_languages__includes": code})


def written_in_q(language, prefix=""):
    """Has a title in `language`: it exists in that language."""
    field = f"{prefix}{localized('title', language)}"
    return models.Q(**{f"{field}__gt": ""})


class ArticleQuerySet(models.QuerySet):
    def live(self):
        """Published and due: the only articles the public may see."""
        return self.filter(live_q())

    def listed(self):
        """Leave out the articles an editor keeps off this language's listings."""
        return self.filter(listed_q())

    def written_in(self, language):
        return self.filter(written_in_q(language))

    def scheduled(self):
        return self.filter(status="published", published_at__gt=timezone.now())

    def listing(self):
        """What the public listings, search and feeds show, ready for cards."""
        return self.live().listed().for_cards()

    def for_cards(self):
        """What a listing card needs, in a constant number of queries, without the bodies."""
        return self.with_author_and_tags().defer(*CARD_SKIPS)

    def with_author_and_tags(self):
        return self.select_related("author").prefetch_related("tags")
