from django import template
from django.urls import reverse
from django.utils.html import format_html_join

register = template.Library()

# The page, the object its feed follows (in the page's context) and that feed's URL name.
PAGE_FEEDS = {
    "articles:tag": ("tag", "portability:tag_feed"),
    "articles:author": ("author", "portability:author_feed"),
    "series:detail": ("series", "portability:series_feed"),
}


@register.simple_tag(takes_context=True)
def json_feed_links(context):
    """<link rel="alternate"> for the site's JSON Feed and the one of the page's tag, author or
    series, beside the RSS and Atom links the page already has."""
    site = context.get("site")
    name = getattr(site, "name", "")
    links = [(f"{name} (JSON Feed)", reverse("portability:feed"))]
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    page = PAGE_FEEDS.get(match.view_name if match else "")
    if page and context.get(page[0]) is not None:
        shown = context[page[0]]
        title = getattr(shown, "title", None) or getattr(shown, "name", "")
        links.append((f"{title} (JSON Feed)", reverse(page[1], kwargs={"slug": shown.slug})))
    return format_html_join(
        "\n  ",
        '<link rel="alternate" type="application/feed+json" title="{}" href="{}">',
        links,
    )
