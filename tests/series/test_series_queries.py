import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from series.models import Series
from sitewide.models import SiteSettings


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    # Count what rendering a page costs, not what a cache hit costs (nothing).
    settings.PAGE_CACHE_SECONDS = 0


def queries_for(client, url):
    SiteSettings.load()  # The row exists on any running site (created on first use).
    cache.clear()  # A cold cache: nothing cached may hide a query that grows with the data.
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(
    "url",
    ["/en/series/guide/", "/en/posts/guide-part-2/", "/en/series/", "/ru/series/", "/en/"],
)
def test_series_pages_run_the_same_queries_for_2_and_20_parts(client, make_series, url):
    make_series(parts=2)
    make_series(parts=2, slug="other")
    small = queries_for(client, url)

    Series.objects.all().delete()
    from articles.models import Article

    Article.objects.all().delete()
    make_series(parts=20)
    for number in range(5):
        make_series(parts=2, slug=f"other-{number}")
    large = queries_for(client, url)
    assert small == large
