"""The search page: articles ranked by the full-text index, and the series and tags whose
names or introductions hold every word asked for (a page that combines apps lives here)."""

from django.shortcuts import render
from django.utils.translation import get_language

from articles.models import Tag
from articles.search import clean_query, query_stems, search
from articles.stemming import stems
from articles.views import live_count, paginate
from series.models import Series
from sitewide.pagestore import kept, shows

# Series and tags are few next to articles; these caps keep a page bounded all the same.
SHOWN = 5
SCANNED = 500
SUGGESTED = 8


def search_results(request):
    # Ranked by the search index, which the worker refreshes after a change, then says so.
    shows("search")
    language = get_language()
    query = clean_query(request.GET.get("q", ""))
    results = search(query, language) if query else None
    page = paginate(request, results) if query else None
    wanted, unwanted = query_stems(query)
    # The live series and tags with their counts, worked out once per change to the lists
    # (any article, series or tag change announces them), not counted on every search.
    lists = [f"list:{language}"]
    series = kept(
        f"search-series:{language}", lists, lambda: list(Series.objects.with_live_stats()[:SCANNED])
    )
    tags = Tag.objects.annotate(live_articles=live_count()).filter(live_articles__gt=0)
    scanned = kept(f"search-tags:{language}", lists, lambda: list(tags[:SCANNED]))
    context = {
        "query": query,
        "page": page,
        # A common word's matches past the ranked ones (articles.search.CANDIDATES).
        "more_results": results is not None and results.more,
        "series_found": matching(series, wanted, unwanted, lambda s: f"{s.title} {s.intro}"),
        "tags_found": matching(scanned, wanted, unwanted, lambda tag: tag.name),
    }
    nothing = page is not None and not page.paginator.count
    if nothing and not (context["series_found"] or context["tags_found"]):
        popular = tags.order_by("-live_articles", "slug")[:SUGGESTED]
        context["suggested_tags"] = kept(f"search-popular:{language}", lists, lambda: list(popular))
        context["suggested_series"] = series[:SHOWN]
    return render(request, "search.html", context)


def matching(rows, wanted, unwanted, text):
    if not wanted:
        return []
    found = []
    for row in rows:
        words = set(stems(text(row)).split())
        if words.issuperset(wanted) and words.isdisjoint(unwanted):
            found.append(row)
            if len(found) == SHOWN:
                break
    return found
