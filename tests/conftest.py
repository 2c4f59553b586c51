import itertools
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from articles.models import Article, Author, Tag

_sequence = itertools.count(1)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    # Newsletter tests run the real task worker as a second process, which must see the test
    # database: on SQLite it lives in a file rather than in memory.
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(autouse=True)
def _clear_cache():
    # Tests share one cache (Redis on CI): start each from empty.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    # Tests count what rendering costs and see what a render shows; tests/test_page_cache.py
    # turns the whole-page cache on to test the cache itself.
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _site_url(settings):
    # Links are built from SITE_URL (blogsite.middleware.SiteHostMiddleware); the test client's
    # host is "testserver".
    settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _english():
    # A request in Russian leaves Russian active in the thread; each test starts in English.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_social_images(settings):
    # Drawing two 1200x630 images per saved article would slow every test; the social image
    # tests turn it back on.
    settings.SOCIAL_IMAGES = False


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def make_author(db):
    def make(**fields):
        number = next(_sequence)
        fields.setdefault("name", f"Author {number}")
        fields.setdefault("slug", f"author-{number}")
        return Author.objects.create(**fields)

    return make


@pytest.fixture
def author(make_author):
    return make_author(name="Ada Writer", slug="ada-writer", bio_en="Writes about databases.")


@pytest.fixture
def make_tag(db):
    def make(**fields):
        number = next(_sequence)
        fields.setdefault("name_en", f"Tag {number}")
        fields.setdefault("slug", f"tag-{number}")
        return Tag.objects.create(**fields)

    return make


@pytest.fixture
def make_article(db, make_author, django_capture_on_commit_callbacks):
    """An article, live by default; pass status/published_at for drafts and scheduled ones.

    What runs after the commit (the search index, the social image) runs before it returns,
    as it would outside the test's transaction.
    """

    def make(tags=(), **fields):
        number = next(_sequence)
        fields.setdefault("title_en", f"Article {number}")
        fields.setdefault("slug", f"article-{number}")
        fields.setdefault("summary_en", f"Summary of article {number}.")
        fields.setdefault("body_en", f"## First\n\nBody of article {number}.\n\n## Second\n\nMore.")
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - timedelta(days=number))
        if "author" not in fields:
            fields["author"] = make_author()
        with django_capture_on_commit_callbacks(execute=True):
            article = Article.objects.create(**fields)
            article.tags.set(tags)
        return article

    return make


@pytest.fixture
def live_article(make_article, author):
    return make_article(title_en="Pool sizing", slug="pool-sizing", author=author)


@pytest.fixture
def draft_article(make_article, author):
    return make_article(
        title_en="Unfinished draft", slug="draft", status=Article.Status.DRAFT, author=author
    )


@pytest.fixture
def scheduled_article(make_article, author):
    return make_article(
        title_en="Coming next week",
        slug="scheduled",
        published_at=timezone.now() + timedelta(days=7),
        author=author,
    )


@pytest.fixture
def make_series(db, make_article, author):
    """A series of live parts, one day apart, in reading order."""
    from series.models import Series, SeriesPart

    def make(parts=4, slug="guide", **fields):
        fields.setdefault("title_en", "The guide")
        fields.setdefault("intro_en", "A guide in **several** parts.")
        series = Series.objects.create(slug=slug, **fields)
        start = timezone.now() - timedelta(days=parts + 1)
        for number in range(1, parts + 1):
            article = make_article(
                title_en=f"Guide part {number}",
                slug=f"{slug}-part-{number}",
                author=author,
                published_at=start + timedelta(days=number),
            )
            SeriesPart.objects.create(series=series, article=article, position=number)
        return series

    return make
