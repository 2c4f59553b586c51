from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

register = template.Library()


@register.simple_tag
def fallback_lang(obj, field):
    """` lang="en"` when the field shows the English fallback on a page in another language."""
    language = get_language()
    if language == "en" or getattr(obj, build_localized_fieldname(field, language), None):
        return ""
    return format_html(' lang="{}"', "en")


@register.simple_tag
def fallback_badge(obj, field):
    """A small «EN» mark beside text shown in English on a page in another language."""
    if not fallback_lang(obj, field):
        return ""
    return format_html(
        '<abbr class="lang-badge" title="{}">EN</abbr>', _("Not translated yet: in English")
    )


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """This listing's address at another page, keeping the rest of the query (a search)."""
    query = context["request"].GET.copy()
    query["page"] = str(number)
    return f"?{query.urlencode()}"
