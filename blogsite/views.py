from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from articles.models import Article
from articles.views import paginate
from series.models import Series

HUB_SERIES = 4


def home(request):
    articles = Article.objects.live().for_cards().select_related("series_part__series")
    context = {
        "page": paginate(request, articles),
        "series_list": Series.objects.with_live_stats()[:HUB_SERIES],
        "show_series": True,
    }
    return render(request, "home.html", context)


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /markdownx/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
