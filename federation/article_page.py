"""What the article page shows of the fediverse (see articles/extensions.py): the edition's
account to follow, and the approved replies, likes and boosts under the article."""

from django.core.cache import cache
from django.db.models import Count, Q

from articles.extensions import ArticleExtension
from federation.models import ACCOUNTS_KEY, FRAGMENTS_KEY, Actor, Reaction, Reply, reactions_key
from sitewide.languages import current_language
from sitewide.pagestore import shows

REACTIONS_SECONDS = 24 * 3600


def reactions(article):
    """Approved replies, likes and boosts under the article, kept in the cache until one of
    them changes (no query on a warm cache)."""
    key = f"federation:article:{article.pk}:{cache.get(FRAGMENTS_KEY, 0)}"
    found = cache.get(key)
    if found is None:
        found = Reaction.objects.filter(article=article).aggregate(
            likes=Count("pk", filter=Q(kind=Reaction.Kind.LIKE)),
            boosts=Count("pk", filter=Q(kind=Reaction.Kind.BOOST)),
        )
        found["replies"] = list(Reply.objects.approved().filter(article=article))
        cache.set(key, found, REACTIONS_SECONDS)
    return found


class FederationOnArticles(ArticleExtension):
    def page_context(self, article):
        # A moderator's approval or rejection, an edit or a deletion of a reply invalidates
        # the pages of its article only (federation.models.fragments_changed); the edition's
        # account, made by the first fediverse request, every article page.
        shows(reactions_key(article.pk), ACCOUNTS_KEY)
        return {
            # {"uri", "handle"} of the edition in the page's language, from the cache.
            "fediverse_account": Actor.objects.accounts().get(current_language()),
            "fediverse": reactions(article),
        }
