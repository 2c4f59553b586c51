from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import override

from series.models import SERIES_LIST_KEY, Series, SeriesPart
from sitewide.languages import current_language
from sitewide.metadata import listing_meta, social_image
from sitewide.models import SiteSettings
from sitewide.pagestore import shows, shows_only_what_it_loads


def series_list(request):
    # Not a list of the site's articles (`list:<lang>`, which every publish changes): the
    # series with a live part (`series:7` each, as they load), the set of them (`series-list`,
    # announced by every change of a series or its parts), and the live parts whose reading
    # minutes and dates it adds up (`article:42`: an edit of a part's body changes its total).
    shows_only_what_it_loads()
    series_list = list(Series.objects.with_live_stats())
    parts = SeriesPart.objects.filter(series__in=series_list).values_list("article_id", flat=True)
    shows(SERIES_LIST_KEY, *(f"article:{pk}" for pk in parts))
    meta = listing_meta(
        request,
        SiteSettings.load(),
        _("Series"),
        _("Multi-part guides, read in order."),
        trail=[(_("Series"), reverse("series:list"))],
    )
    return render(request, "series/series_list.html", {"series_list": series_list, "meta": meta})


def series_detail(request, slug):
    shows_only_what_it_loads()  # its list is the series' (`series:7`)
    series = get_object_or_404(Series, slug=slug)
    parts = list(series.live_parts())
    if not parts:
        raise Http404("This series has no published part yet.")
    language = current_language()
    for part in parts:
        # A part this edition does not carry is said so, with a link to where it is.
        part.in_this_edition = part.article.shown_in(language)
        if not part.in_this_edition:
            part.original_language = part.article.original_language
            with override(part.original_language):
                part.original_url = part.article.get_absolute_url()
    context = {
        "series": series,
        "parts": parts,
        "next_part_at": series.next_scheduled_at(),
        "meta": series_meta(request, series, parts),
    }
    return render(request, "series/series_detail.html", context)


def series_meta(request, series, parts):
    """CollectionPage of the live parts, in order, with the series' own preview image."""
    description = Truncator(strip_tags(series.intro_html)).words(30) or series.title
    meta = listing_meta(
        request,
        SiteSettings.load(),
        series.title,
        description,
        trail=[(_("Series"), reverse("series:list")), (series.title, series.get_absolute_url())],
    )
    meta.image = social_image(request, "series", series.pk, series.title, series.updated_at)
    meta.json_ld[0]["image"] = meta.image["url"]
    meta.json_ld[0]["hasPart"] = [
        {
            "@type": "BlogPosting",
            "position": number,
            "headline": part.article.title,
            "url": request.build_absolute_uri(part.article.get_absolute_url()),
        }
        for number, part in enumerate(parts, start=1)
    ]
    return meta
