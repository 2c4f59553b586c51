"""The stored search index: one entry per article and language, refreshed after each commit.

PostgreSQL keeps a weighted `tsvector` per language on the article (GIN-indexed), built by
the language's own text-search configuration. SQLite keeps an FTS5 table per language whose
text is already stemmed (`articles.stemming`), since SQLite has no Russian stemmer of its own.
Either way the entry holds what the page in that language shows: its own text where there is
one, else the text of the language it falls back to.
"""

import html
import re

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Value
from modeltranslation.utils import build_localized_fieldname as localized

from articles.models import Article
from articles.rendering import formulas_as_tex
from articles.stemming import stems
from sitewide.changes import ids
from sitewide.languages import fallback_order

CONFIGS = {"en": "english", "ru": "russian"}
# Title above tags above summary above body, on both databases.
WEIGHTS = {"title": "A", "tags": "B", "summary": "C", "body": "D"}
FTS_COLUMNS = tuple(WEIGHTS)
CHUNK = 500


def vector_field(language):
    return f"search_{language}"


def fts_table(language):
    if language not in CONFIGS:
        raise ValueError(f"No search index for {language!r}.")
    return f"articles_search_{language}"


# Our own sanitized HTML (articles.rendering): a tag never holds a ">" in an attribute, so a
# regular expression reads its text ten times faster than an HTML parser.
TAG = re.compile(r"<[^>]*>")


def plain_text(body_html):
    body_html = body_html or ""
    if "<math" in body_html:
        # A formula reads (and is found) as its TeX, not as its MathML's scattered symbols.
        body_html = formulas_as_tex(body_html)
    return html.unescape(TAG.sub(" ", body_html))


def shown(obj, field, language):
    """The field as the page in `language` shows it: its own text, else the first other
    language's (an article written in Russian only is found on the English edition too).

    Read from the per-language columns, so it works on the migrations' historical models too.
    """
    for code in fallback_order(language):
        value = getattr(obj, localized(field, code), None)
        if value:
            return value
    return ""


def texts(article, language):
    return {
        "title": shown(article, "title", language),
        "tags": " ".join(shown(tag, "name", language) for tag in article.tags.all()),
        "summary": shown(article, "summary", language),
        "body": plain_text(shown(article, "body_html", language)),
    }


def yo_as_ye(text):
    """Russian readers type «е» for «ё»; PostgreSQL's dictionary tells them apart."""
    return text.replace("ё", "е").replace("Ё", "Е")


def postgres_vector(entry, language):
    vector = None
    for column, weight in WEIGHTS.items():
        text = yo_as_ye(entry[column])
        part = SearchVector(Value(text), weight=weight, config=CONFIGS[language])
        vector = part if vector is None else vector + part
    return vector


def refresh(article_ids, model=Article):
    """Rebuild the entries of these articles; ids no longer in the table lose theirs."""
    article_ids = set(article_ids)
    articles = model.objects.filter(pk__in=article_ids).prefetch_related("tags")
    found = set()
    for article in articles:
        found.add(article.pk)
        write(article, model)
    if found != article_ids:
        forget(article_ids - found)


def write(article, model=Article):
    entries = {language: texts(article, language) for language in CONFIGS}
    if connection.vendor == "postgresql":
        model.objects.filter(pk=article.pk).update(
            **{
                vector_field(language): postgres_vector(entry, language)
                for language, entry in entries.items()
            }
        )
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for language, entry in entries.items():
                table = fts_table(language)
                cursor.execute(f"DELETE FROM {table} WHERE rowid = %s", [article.pk])  # noqa: S608 (our own table name)
                cursor.execute(
                    f"INSERT INTO {table} (rowid, {', '.join(FTS_COLUMNS)}) "  # noqa: S608
                    "VALUES (%s, %s, %s, %s, %s)",
                    [article.pk, *(stems(entry[column]) for column in FTS_COLUMNS)],
                )


def forget(article_ids):
    if connection.vendor != "sqlite" or not article_ids:
        return  # PostgreSQL's entries are columns of the deleted rows.
    with connection.cursor() as cursor:
        for language in CONFIGS:
            for pk in article_ids:
                cursor.execute(f"DELETE FROM {fts_table(language)} WHERE rowid = %s", [pk])  # noqa: S608


def rebuild(model=Article):
    """Every article's entries, from scratch: after a bulk import or a restore."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for language in CONFIGS:
                cursor.execute(f"DELETE FROM {fts_table(language)}")  # noqa: S608
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            refresh(ids[start : start + CHUNK], model)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Fresh statistics, or the planner walks every live row instead of the GIN index.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return len(ids)


def refresh_changed(keys):
    """The entries a change made stale (titles, summaries, bodies and tag names are indexed).

    Run by the page invalidation before it moves the version (CONTENT_CHANGE_REFRESHES): a
    search page rendered from the old index is then dropped by that one bump.
    """
    article_ids = set(ids(keys, "article"))
    tag_ids = ids(keys, "tag")
    if tag_ids:
        article_ids.update(Article.objects.filter(tags__in=tag_ids).values_list("pk", flat=True))
    if article_ids:
        refresh(sorted(article_ids))


def create_storage(schema_editor):
    """The FTS5 tables on SQLite, the GIN indexes on PostgreSQL (for the migration)."""
    vendor = schema_editor.connection.vendor
    for language in CONFIGS:
        if vendor == "sqlite":
            schema_editor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts_table(language)} "
                f"USING fts5({', '.join(FTS_COLUMNS)})"
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS articles_article_{vector_field(language)}_gin "
                f"ON articles_article USING gin ({vector_field(language)})"
            )


def drop_storage(schema_editor):
    vendor = schema_editor.connection.vendor
    for language in CONFIGS:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts_table(language)}")
        elif vendor == "postgresql":
            schema_editor.execute(
                f"DROP INDEX IF EXISTS articles_article_{vector_field(language)}_gin"
            )
