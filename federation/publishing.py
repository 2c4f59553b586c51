"""What followers get when an article changes: Create when it goes live (at its second),
Update when its text changes, Delete when it is withdrawn or deleted.

`federate()` compares the article with what each edition last sent (`ArticleState`) and
sends the difference, so running it twice, or late, sends nothing twice.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from federation import delivery, documents
from federation.models import Activity, Actor, ArticleState, content_hash


def shown_in(article, language):
    """Whether the edition in `language` carries the article: written in it and listed."""
    return article.is_translated(language) and language not in article.hidden_languages


def is_old_news(article):
    """Published long before it could be sent (an import, a backdated article): followers'
    timelines are for news, so it stays on the site and in the outbox only."""
    age = timezone.now() - article.published_at
    return age > timedelta(hours=settings.FEDERATION_NEWS_HOURS)


def federate(article_pk, enqueue):
    article = Article.objects.filter(pk=article_pk).first()
    if article is not None and article.state == Article.State.SCHEDULED:
        # Come back at its second (again: every run re-checks, so extra runs are harmless).
        enqueue.federate(article_pk, article.published_at)
    for actor in Actor.objects.ensure():
        live = article is not None and article.is_live and shown_in(article, actor.language)
        _bring_in_line(actor, article_pk, article if live else None, enqueue)


def _bring_in_line(actor, article_pk, article, enqueue):
    with transaction.atomic():
        state, _created = ArticleState.objects.get_or_create(
            actor=actor,
            article_pk=article_pk,
            defaults={"object_uri": documents.object_uri(article_pk, actor.language)},
        )
        if article is None:
            if not state.content_hash:
                return None
            kind, target = "Delete", documents.tombstone(state.object_uri)
            changes = {"content_hash": "", "generation": state.generation + 1}
            changes["object_uri"] = documents.object_uri(
                article_pk, actor.language, changes["generation"]
            )
        elif not state.content_hash and is_old_news(article):
            return None
        else:
            target = documents.article_object(article, actor, state.generation)
            digest = content_hash(target)
            if digest == state.content_hash:
                return None
            if state.content_hash:
                kind = "Update"
                target["updated"] = timezone.now().isoformat()
            else:
                kind = "Create"
            changes = {"content_hash": digest}
        # Compare-and-set: of two runs at once, one sends.
        if not ArticleState.objects.filter(
            pk=state.pk, content_hash=state.content_hash, generation=state.generation
        ).update(**changes):
            return None
        activity = Activity(actor=actor, kind=kind, article_pk=article_pk)
        if article is not None and article.published_at:
            activity.not_before = article.published_at
        activity.payload = documents.activity(
            actor, kind, target, activity.uri, to=[documents.PUBLIC], cc=[actor.followers_uri]
        )
        activity.save()
        targets = delivery.inboxes(actor)
    delivery.fan_out(activity, targets, enqueue)
    return activity
