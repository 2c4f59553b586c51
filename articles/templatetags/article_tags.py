from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext as _

from sitewide.languages import current_language, shown_language

register = template.Library()


@register.simple_tag
def fallback_lang(obj, field):
    """` lang="xx"` when the field shows another language's text than the page's."""
    shown = shown_language(obj, field)
    if shown is None or shown == current_language():
        return ""
    return format_html(' lang="{}"', shown)


@register.simple_tag
def fallback_badge(obj, field):
    """A small «EN» or «RU» mark beside text shown in another language than the page's."""
    shown = shown_language(obj, field)
    if shown is None or shown == current_language():
        return ""
    name = dict(settings.LANGUAGES)[shown]
    return format_html(
        '<abbr class="lang-badge" title="{}">{}</abbr>',
        _("Not translated; the text is in: %(language)s") % {"language": name},
        shown.upper(),
    )


@register.simple_tag
def original_language():
    """The language translations are made from and followed against (the default one)."""
    return settings.LANGUAGE_CODE


@register.simple_tag
def language_name_of(obj, field):
    """The name, in the page's language, of the language `obj.field` is shown in."""
    shown = shown_language(obj, field)
    return dict(settings.LANGUAGES)[shown] if shown else ""


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """This listing's address at another page, keeping the rest of the query (a search)."""
    query = context["request"].GET.copy()
    query["page"] = str(number)
    return f"?{query.urlencode()}"
