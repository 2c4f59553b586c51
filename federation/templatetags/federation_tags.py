from django import template
from django.db.models import Count, Q
from django.utils.translation import get_language

from federation.models import Actor, Reaction, Reply

register = template.Library()


@register.simple_tag
def fediverse_account():
    """The edition's account in the page's language ({"uri", "handle"}), from the cache."""
    return Actor.objects.accounts().get(get_language())


@register.simple_tag
def fediverse(article):
    """Approved replies, likes and boosts under the article (the page is cached whole)."""
    counts = Reaction.objects.filter(article=article).aggregate(
        likes=Count("pk", filter=Q(kind=Reaction.Kind.LIKE)),
        boosts=Count("pk", filter=Q(kind=Reaction.Kind.BOOST)),
    )
    return {"replies": list(Reply.objects.approved().filter(article=article)), **counts}
