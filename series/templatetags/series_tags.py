from django import template

from series.navigation import series_strip as build_series_strip

register = template.Library()


@register.simple_tag
def series_strip(article):
    return build_series_strip(article)
