import json

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article
from articles.querysets import listed_q, written_in_q
from federation import documents, inbox
from federation.models import Activity, Actor, ArticleState, absolute, site_host
from federation.publishing import shown_in
from federation.remote import ACTIVITY_JSON
from federation.signatures import Message

ACTIVITY_TYPES = ("application/activity+json", "application/ld+json")


def wants_activity(request):
    """Accept names ActivityPub's JSON (activity+json, or ld+json with the AS profile)."""
    accept = request.headers.get("Accept", "").lower()
    return any(kind in accept for kind in ACTIVITY_TYPES)


def activity_response(document, status=200):
    response = HttpResponse(json.dumps(document), content_type=ACTIVITY_JSON, status=status)
    # Never kept by the page cache (it takes only responses without Cache-Control), never
    # handed to a browser that asked for HTML.
    patch_cache_control(response, public=True, max_age=60)
    patch_vary_headers(response, ["Accept"])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def json_response(document, content_type="application/json"):
    response = JsonResponse(document, content_type=content_type)
    patch_cache_control(response, public=True, max_age=300)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def actor_named(username):
    Actor.objects.ensure()
    return get_object_or_404(Actor, username=username)


@require_GET
def webfinger(request):
    resource = request.GET.get("resource", "")
    if not resource:
        return HttpResponse("resource is required", status=400, content_type="text/plain")
    # An account is asked for as its URI, or as user@host with or without `acct:`, in any
    # case (servers and people type it so; Mastodon compares both parts without case).
    account = resource.lower().removeprefix("acct:")
    for actor in Actor.objects.ensure():
        if resource == actor.uri or account == f"{actor.username}@{site_host()}".lower():
            return json_response(documents.webfinger(actor), "application/jrd+json")
    return HttpResponse("Unknown account", status=404, content_type="text/plain")


@require_GET
def host_meta(request):
    template = absolute(reverse("federation:webfinger")) + "?resource={uri}"
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{template}"/>\n'
        "</XRD>\n"
    )
    response = HttpResponse(xml, content_type="application/xrd+xml")
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_GET
def nodeinfo_links(request):
    return json_response(
        {
            "links": [
                {
                    "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                    "href": absolute(reverse("federation:nodeinfo")),
                }
            ]
        }
    )


@require_GET
def nodeinfo(request):
    actors = Actor.objects.ensure()
    site = documents.site_name(settings.LANGUAGE_CODE)
    return json_response(
        {
            "version": "2.0",
            "software": {"name": "engineering-insights", "version": "0.1.0"},
            "protocols": ["activitypub"],
            "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
            "openRegistrations": False,
            "usage": {
                "users": {"total": len(actors), "activeMonth": len(actors)},
                "localPosts": Article.objects.live().count(),
            },
            "metadata": {"nodeName": site},
        },
        'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.0#"',
    )


@require_GET
def actor(request, username):
    actor = actor_named(username)
    if not wants_activity(request):
        # A person following the profile link: the edition's home page.
        with translation.override(actor.language):
            response = HttpResponseRedirect(reverse("home"))
        patch_vary_headers(response, ["Accept"])
        return response
    return activity_response(documents.actor_document(actor))


@require_GET
def outbox(request, username):
    actor = actor_named(username)
    # What the edition carries now, sent or not: an article published long before it could be
    # sent (an import, the demo) is not pushed into timelines but belongs in the outbox, where
    # a server looking at the account's profile reads its posts.
    states = ArticleState.objects.filter(actor=actor)
    generations = dict(states.values_list("article_pk", "generation"))
    articles = (
        Article.objects.live()
        .filter(pk__in=states.values("article_pk"))
        .filter(written_in_q(actor.language), listed_q(language=actor.language))
        .order_by("-published_at")
    )
    total = articles.count()
    items = []
    for article in articles.prefetch_related("tags")[: settings.FEDERATION_OUTBOX_ITEMS]:
        target = documents.article_object(article, actor, generations.get(article.pk, 0))
        created = documents.activity(
            actor, "Create", target, target["id"] + "#create", to=target["to"], cc=target["cc"]
        )
        del created["@context"]
        items.append(created)
    return activity_response(
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": actor.outbox_uri,
            "type": "OrderedCollection",
            "totalItems": total,
            "orderedItems": items,
        }
    )


@require_GET
def followers(request, username):
    actor = actor_named(username)
    # The count is public, the addresses are not.
    return activity_response(
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": actor.followers_uri,
            "type": "OrderedCollection",
            "totalItems": actor.followers.count(),
        }
    )


@require_GET
def article_object(request, language, pk, generation=0):
    actor = get_object_or_404(Actor, language=language)
    state = ArticleState.objects.filter(actor=actor, article_pk=pk).first()
    article = Article.objects.live().filter(pk=pk).first()
    current = state.generation if state else 0
    if article is None or not shown_in(article, language) or generation != current:
        return activity_response(documents.tombstone(request.build_absolute_uri()), status=410)
    if not wants_activity(request):
        with translation.override(language):
            return HttpResponseRedirect(article.get_absolute_url())
    return object_response(article, actor, current)


def object_response(article, actor, generation):
    document = documents.article_object(article, actor, generation)
    document["@context"] = documents.CONTEXT
    return activity_response(document)


@require_GET
def activity(request, pk):
    found = get_object_or_404(Activity, pk=pk, kind__in=["Create", "Update", "Delete"])
    if found.article_pk and found.kind != "Delete":
        get_object_or_404(Article.objects.live(), pk=found.article_pk)
    return activity_response(found.payload)


@csrf_exempt
@require_POST
def receive(request, username=None):
    if username is not None:
        actor_named(username)
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > settings.FEDERATION_MAX_INBOX_BYTES:
        return _refused(413, "Too large")
    message = Message(
        "POST",
        settings.SITE_URL + request.get_full_path(),
        dict(request.headers),
        request.body,
    )
    # The host a remote server signed is the one it connected to: SITE_URL's.
    message.headers["Host"] = request.headers.get("Host", site_host())
    try:
        outcome = inbox.receive(message)
    except inbox.RefusedError as refused:
        return _refused(refused.status, str(refused))
    response = HttpResponse(outcome, status=202, content_type="text/plain")
    patch_cache_control(response, private=True, no_store=True)
    return response


def _refused(status, reason):
    response = HttpResponse(reason, status=status, content_type="text/plain")
    patch_cache_control(response, private=True, no_store=True)
    return response
