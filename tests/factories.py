"""Authors, tags and articles for tests: the `make_*` fixtures of tests/conftest.py, and
rows made once for a module (`made_once`), outside any one test."""

import itertools
from datetime import timedelta

from django.test import TestCase
from django.utils import timezone

from articles.models import Article, Author, Tag

_sequence = itertools.count(1)


def new_author(**fields):
    number = next(_sequence)
    fields.setdefault("name", f"Author {number}")
    fields.setdefault("slug", f"author-{number}")
    return Author.objects.create(**fields)


def new_ada_writer():
    """The author of tests/conftest.py's `author` fixture."""
    return new_author(name="Ada Writer", slug="ada-writer", bio_en="Writes about databases.")


def new_live_article(author):
    """The article of tests/conftest.py's `live_article` fixture."""
    return new_article(title_en="Pool sizing", slug="pool-sizing", author=author)


def new_tag(**fields):
    number = next(_sequence)
    fields.setdefault("name_en", f"Tag {number}")
    fields.setdefault("slug", f"tag-{number}")
    return Tag.objects.create(**fields)


def new_article(tags=(), **fields):
    """An article, live by default (see `make_article`)."""
    number = next(_sequence)
    fields.setdefault("title_en", f"Article {number}")
    fields.setdefault("slug", f"article-{number}")
    fields.setdefault("summary_en", f"Summary of article {number}.")
    fields.setdefault("body_en", f"## First\n\nBody of article {number}.\n\n## Second\n\nMore.")
    fields.setdefault("status", Article.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timedelta(days=number))
    if "author" not in fields:
        fields["author"] = new_author()
    with TestCase.captureOnCommitCallbacks(execute=True):
        article = Article.objects.create(**fields)
        article.tags.set(tags)
    return article


def new_series(parts=4, slug="guide", author=None, **fields):
    """A series of live parts, one day apart, in reading order."""
    from series.models import Series, SeriesPart

    fields.setdefault("title_en", "The guide")
    fields.setdefault("intro_en", "A guide in **several** parts.")
    series = Series.objects.create(slug=slug, **fields)
    start = timezone.now() - timedelta(days=parts + 1)
    for number in range(1, parts + 1):
        article = new_article(
            title_en=f"Guide part {number}",
            slug=f"{slug}-part-{number}",
            author=author,
            published_at=start + timedelta(days=number),
        )
        SeriesPart.objects.create(series=series, article=article, position=number)
    return series
