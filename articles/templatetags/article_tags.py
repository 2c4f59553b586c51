from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from sitewide.languages import current_language, fallback_order

register = template.Library()


def shown_language(obj, field):
    """The language whose text `obj.field` shows on this page: its own, or the first other
    language that has it (modeltranslation's fallback order)."""
    for code in fallback_order():
        if getattr(obj, build_localized_fieldname(field, code), None):
            return code
    return None


@register.simple_tag
def fallback_lang(obj, field):
    """` lang="ru"` when the field shows another language's text than the page's."""
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


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """This listing's address at another page, keeping the rest of the query (a search)."""
    query = context["request"].GET.copy()
    query["page"] = str(number)
    return f"?{query.urlencode()}"
