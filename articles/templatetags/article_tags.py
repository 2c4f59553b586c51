from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname

register = template.Library()


@register.simple_tag
def fallback_lang(obj, field):
    """` lang="en"` when the field shows the English fallback on a page in another language."""
    language = get_language()
    if language == "en" or getattr(obj, build_localized_fieldname(field, language), None):
        return ""
    return format_html(' lang="{}"', "en")
