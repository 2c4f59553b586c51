"""After a bulk import (no save, no signals) two commands bring search and images up to date."""

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from articles.models import Article
from series.models import Series
from sitewide.social import image_name

pytestmark = pytest.mark.template_context  # reads response.context


def test_bulk_created_articles_become_searchable_and_get_images(client, make_author, make_series):
    make_series(parts=1, slug="guide")
    Article.objects.bulk_create(
        [Article(title_en="Bulk imported vacuum", slug="bulk", author=make_author(),
                 status="published", published_at=Article.objects.first().published_at)]
    )  # fmt: skip
    assert client.get("/en/search/?q=vacuum").context["page"].paginator.count == 0
    call_command("rebuild_search_index", verbosity=0)
    assert client.get("/en/search/?q=vacuum").context["page"].paginator.count == 1
    call_command("make_social_images", verbosity=0)
    bulk = Article.objects.get(slug="bulk")
    assert default_storage.exists(image_name("article", bulk.pk, "ru"))
    assert default_storage.exists(image_name("site", 1, "en"))
    assert default_storage.exists(image_name("series", Series.objects.get().pk, "en"))
