from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from series.models import Series
from sitewide.models import SiteSettings

PAGES = ["/en/series/guide/", "/en/posts/guide-part-2/", "/en/series/", "/ru/series/", "/en/"]


def queries_for(client, url):
    # Once before counting: what a process looks up once in its life (content types kept by
    # Django, addresses resolved) is not what the page costs. A parallel PostgreSQL run counted
    # 6 queries for the first page of the small site against 5 on the large one.
    client.get(url)
    SiteSettings.load()  # The row exists on any running site (created on first use).
    cache.clear()  # A cold cache: nothing cached may hide a query that grows with the data.
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_series_pages_run_the_same_queries_for_2_and_20_parts(client, make_series):
    # Every page is counted on both sites in one test: the sites cost far more to build than
    # the pages to count (34 articles, each rendered and indexed).
    kept = set(Article.objects.values_list("pk", flat=True))
    make_series(parts=2)
    make_series(parts=2, slug="other")
    small = {url: queries_for(client, url) for url in PAGES}

    # Only what this test made goes: deleting every row of a worker's database would announce
    # each deletion to the consumers.
    Series.objects.filter(slug__in=["guide", "other"]).delete()
    Article.objects.exclude(pk__in=kept).delete()
    make_series(parts=20)
    for number in range(5):
        make_series(parts=2, slug=f"other-{number}")
    large = {url: queries_for(client, url) for url in PAGES}
    assert small == large
