from django.http import Http404
from django.shortcuts import get_object_or_404, render

from series.models import Series


def series_list(request):
    series_list = Series.objects.with_live_stats()
    return render(request, "series/series_list.html", {"series_list": series_list})


def series_detail(request, slug):
    series = get_object_or_404(Series, slug=slug)
    parts = list(series.live_parts())
    if not parts:
        raise Http404("This series has no published part yet.")
    context = {"series": series, "parts": parts, "next_part_at": series.next_scheduled_at()}
    return render(request, "series/series_detail.html", context)
