from django import template
from django.conf import settings
from django.utils.translation import get_language_info

from blogsite.languages import url_in_language

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """The current page in every language: for the switcher and the hreflang alternates."""
    request = context["request"]
    query = request.GET.urlencode()
    # A page that exists in fewer languages (an article written in one) names only those as
    # hreflang alternates; the switcher still offers every edition.
    alternates = context.get("alternate_languages") or [code for code, _ in settings.LANGUAGES]
    links = []
    for code, _name in settings.LANGUAGES:
        url = url_in_language(request.path, code)
        if query:
            url = f"{url}?{query}"
        links.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": url,
                "absolute_url": request.build_absolute_uri(url),
                "alternate": code in alternates,
                "x_default": code == alternates[0],
            }
        )
    return links
