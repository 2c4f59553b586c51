"""The JSON documents the fediverse reads: actors, article objects, activities, WebFinger."""

import mimetypes
import re

import nh3
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from modeltranslation.utils import build_localized_fieldname as localized

from federation.models import absolute, site_host
from sitewide.models import SiteSettings

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
CONTEXT = [
    "https://www.w3.org/ns/activitystreams",
    "https://w3id.org/security/v1",
    {
        "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
        "toot": "http://joinmastodon.org/ns#",
        "discoverable": "toot:discoverable",
        "indexable": "toot:indexable",
        "Hashtag": "as:Hashtag",
    },
]

# What Mastodon keeps of remote HTML, roughly; the rest would be dropped there anyway.
CONTENT_TAGS = {
    "p", "br", "a", "span", "strong", "b", "em", "i", "del", "s", "u", "code", "pre",
    "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "img", "figure",
    "figcaption", "table", "thead", "tbody", "tr", "th", "td", "hr", "sup", "sub",
}  # fmt: skip
CONTENT_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
_RELATIVE = re.compile(r'(\s(?:href|src)=")(/(?!/)[^"]*)"')


def absolute_html(html):
    """The sanitized HTML with every site-relative link made absolute from SITE_URL."""
    linked = _RELATIVE.sub(lambda m: f'{m.group(1)}{settings.SITE_URL}{m.group(2)}"', html)
    return nh3.clean(
        linked,
        tags=CONTENT_TAGS,
        attributes=CONTENT_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )


def in_language(article, field, language):
    return getattr(article, localized(field, language)) or ""


def article_url(article, language):
    with translation.override(language):
        return absolute(article.get_absolute_url())


def object_uri(article_pk, language, generation=0):
    kwargs = {"language": language, "pk": article_pk}
    if generation:
        return absolute(
            reverse("federation:object_again", kwargs=kwargs | {"generation": generation})
        )
    return absolute(reverse("federation:object", kwargs=kwargs))


def site_name(language):
    with translation.override(language):
        return in_language(SiteSettings.load(), "name", language)


def tagline_html(site, language):
    return f"<p>{escape(in_language(site, 'tagline', language))}</p>"


def actor_document(actor):
    site = SiteSettings.load()
    language = actor.language
    with translation.override(language):
        home = absolute(reverse("home"))
    document = {
        "@context": CONTEXT,
        "id": actor.uri,
        "type": actor.actor_type,
        "preferredUsername": actor.username,
        "name": in_language(site, "name", language) or site.name,
        "summary": actor.summary or tagline_html(site, language),
        "url": home,
        "inbox": actor.inbox_uri,
        "outbox": actor.outbox_uri,
        "followers": actor.followers_uri,
        "endpoints": {"sharedInbox": absolute(reverse("federation:shared_inbox"))},
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "indexable": True,
        "published": actor.created_at.isoformat(),
        "publicKey": {
            "id": actor.key_id,
            "owner": actor.uri,
            "publicKeyPem": actor.public_key_pem,
        },
        "attachment": [
            {
                "type": "PropertyValue",
                "name": "Website",
                "value": f'<a href="{home}" rel="me nofollow noopener">{home}</a>',
            }
        ],
    }
    for field, key in (("avatar", "icon"), ("header", "image")):
        image = getattr(actor, field)
        if image:
            document[key] = image_document(image.url)
    return document


def image_document(url, description=""):
    mime, _encoding = mimetypes.guess_type(url)
    document = {"type": "Image", "mediaType": mime or "image/jpeg", "url": absolute(url)}
    if description:
        document["name"] = description
    return document


def article_object(article, actor, generation=0):
    """The article as the edition's followers see it: an Article, or a Note with the text."""
    language = actor.language
    title = in_language(article, "title", language)
    summary = in_language(article, "summary", language)
    body = absolute_html(in_language(article, "body_html", language))
    url = article_url(article, language)
    hashtags = []
    with translation.override(language):
        for tag in article.tags.all():
            name = in_language(tag, "name", language) or tag.name
            hashtags.append(
                {
                    "type": "Hashtag",
                    "href": absolute(tag.get_absolute_url()),
                    "name": "#" + re.sub(r"\W+", "", name.title()),
                }
            )
    if actor.object_type == actor.ObjectType.NOTE:
        content = (
            f'<p><strong><a href="{url}">{escape(title)}</a></strong></p>'
            + (f"<p>{escape(summary)}</p>" if summary else "")
            + body
        )
    else:
        content = body
    document = {
        "id": object_uri(article.pk, language, generation),
        "type": actor.object_type,
        "attributedTo": actor.uri,
        "name": title,
        "summary": None,
        "content": content,
        "contentMap": {language: content},
        "nameMap": {language: title},
        "url": url,
        "published": article.published_at.isoformat() if article.published_at else None,
        "to": [PUBLIC],
        "cc": [actor.followers_uri],
        "tag": hashtags,
        "attachment": [],
        "replies": None,
    }
    del document["replies"]
    if actor.object_type == actor.ObjectType.ARTICLE:
        # Mastodon shows an Article's summary under its title, and the link.
        document["summary"] = escape(summary) if summary else None
    else:
        # A Note's summary is a content warning on Mastodon: none.
        del document["name"], document["nameMap"]
    if not document["summary"]:
        del document["summary"]
    if article.cover_image:
        document["attachment"].append(
            image_document(article.cover_image.url, in_language(article, "cover_alt", language))
        )
    return document


def tombstone(object_id):
    return {"id": object_id, "type": "Tombstone"}


def activity(actor, kind, target, uri, *, to=None, cc=None):
    document = {
        "@context": CONTEXT,
        "id": uri,
        "type": kind,
        "actor": actor.uri,
        "object": target,
    }
    if to is not None:
        document["to"] = to
    if cc is not None:
        document["cc"] = cc
    return document


def webfinger(actor):
    with translation.override(actor.language):
        home = absolute(reverse("home"))
    return {
        "subject": f"acct:{actor.username}@{site_host()}",
        "aliases": [actor.uri, home],
        "links": [
            {"rel": "self", "type": "application/activity+json", "href": actor.uri},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": home},
        ],
    }
