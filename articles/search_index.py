"""The stored search index: one entry per article and language, refreshed after each commit.

PostgreSQL keeps a weighted `tsvector` per language on the article (GIN-indexed), built by
the language's own text-search configuration. SQLite keeps an FTS5 table per language whose
text is already stemmed (`articles.stemming`), since SQLite has no Russian stemmer of its own.
Either way the entry holds what the page in that language shows: its own text where there is
one, else the text of the language it falls back to.

The languages are the site's (settings.LANGUAGES). A language added later gets its column from
`makemigrations` (articles.models) and its FTS5 table or GIN index, filled, after the next
`migrate` (`ensure_storage`).
"""

import html
import re

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, connections, transaction
from django.db.models import Value
from modeltranslation.utils import build_localized_fieldname as localized

from articles.models import Article
from articles.rendering import formulas_as_tex
from articles.stemming import stems
from sitewide.changes import ids
from sitewide.languages import fallback_order, shown_with, site_languages

# Title above tags above summary above body, on both databases.
WEIGHTS = {"title": "A", "tags": "B", "summary": "C", "body": "D"}
FTS_COLUMNS = tuple(WEIGHTS)
CHUNK = 500


def config(language):
    """PostgreSQL's text-search configuration for `language` (settings.SEARCH_CONFIGS)."""
    return settings.SEARCH_CONFIGS.get(language, "simple")


def vector_field(language):
    return f"search_{language}"


def fts_table(language):
    if language not in site_languages():
        raise ValueError(f"No search index for {language!r}.")
    return f"articles_search_{language}"


def indexed_languages(model=Article):
    """The site's languages that `model` has a search column for: all of them, but for a
    migration's historical model older than a language's column."""
    languages = []
    for language in site_languages():
        try:
            model._meta.get_field(vector_field(language))
        except FieldDoesNotExist:
            continue
        languages.append(language)
    return languages


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
        "summary": shown_with(article, "summary", "title", language),
        "body": plain_text(shown(article, "body_html", language)),
    }


def yo_as_ye(text):
    """Russian readers type «е» for «ё»; PostgreSQL's dictionary tells them apart."""
    return text.replace("ё", "е").replace("Ё", "Е")


def postgres_vector(entry, language):
    vector = None
    for column, weight in WEIGHTS.items():
        text = yo_as_ye(entry[column])
        part = SearchVector(Value(text), weight=weight, config=config(language))
        vector = part if vector is None else vector + part
    return vector


def refresh(article_ids, model=Article, languages=None):
    """Rebuild the entries of these articles; ids no longer in the table lose theirs."""
    article_ids = set(article_ids)
    languages = indexed_languages(model) if languages is None else languages
    articles = model.objects.filter(pk__in=article_ids).prefetch_related("tags")
    found = set()
    for article in articles:
        found.add(article.pk)
        write(article, model, languages)
    if found != article_ids:
        forget(article_ids - found, languages)


def write(article, model=Article, languages=None):
    languages = indexed_languages(model) if languages is None else languages
    entries = {language: texts(article, language) for language in languages}
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


def forget(article_ids, languages=None):
    if connection.vendor != "sqlite" or not article_ids:
        return  # PostgreSQL's entries are columns of the deleted rows.
    with connection.cursor() as cursor:
        for language in indexed_languages() if languages is None else languages:
            for pk in article_ids:
                cursor.execute(f"DELETE FROM {fts_table(language)} WHERE rowid = %s", [pk])  # noqa: S608


def rebuild(model=Article, languages=None):
    """Every article's entries, from scratch: after a bulk import or a restore (in every
    language, or in those given: a language just added)."""
    languages = indexed_languages(model) if languages is None else languages
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for language in languages:
                cursor.execute(f"DELETE FROM {fts_table(language)}")  # noqa: S608
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            refresh(ids[start : start + CHUNK], model, languages)
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
    # A renamed tag (`tag-name:N`, articles/models.py), not every tag an article joined or
    # left (`tag:N`): that article's own entry comes with its `article:N`.
    tag_ids = ids(keys, "tag-name")
    if tag_ids:
        article_ids.update(Article.objects.filter(tags__in=tag_ids).values_list("pk", flat=True))
    if article_ids:
        refresh(sorted(article_ids))


def storage_name(language, vendor):
    """The FTS5 table on SQLite, the GIN index on PostgreSQL."""
    if vendor == "sqlite":
        return fts_table(language)
    return f"articles_article_{vector_field(language)}_gin"


def create_storage(db, languages):
    """The FTS5 tables or GIN indexes of these languages, on `db` (a connection)."""
    with db.cursor() as cursor:
        for language in languages:
            name = storage_name(language, db.vendor)
            if db.vendor == "sqlite":
                columns = ", ".join(FTS_COLUMNS)
                cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5({columns})")
            elif db.vendor == "postgresql":
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} "
                    f"ON articles_article USING gin ({vector_field(language)})"
                )


def drop_storage(db, languages):
    with db.cursor() as cursor:
        for language in languages:
            name = storage_name(language, db.vendor)
            if db.vendor == "sqlite":
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
            elif db.vendor == "postgresql":
                cursor.execute(f"DROP INDEX IF EXISTS {name}")


def missing_storage(using, model):
    """The indexed languages with no FTS5 table or GIN index yet."""
    db = connections[using]
    if db.vendor not in ("sqlite", "postgresql"):
        return []
    with db.cursor() as cursor:
        if db.vendor == "sqlite":
            existing = set(db.introspection.table_names(cursor))
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s", [model._meta.db_table]
            )
            existing = {name for (name,) in cursor.fetchall()}
    return [
        language
        for language in indexed_languages(model)
        if storage_name(language, db.vendor) not in existing
    ]


def ensure_storage(sender, using="default", apps=None, **kwargs):
    """After `migrate`: the index of a language added to LANGUAGES since the last one (its
    column came with `makemigrations`), made and filled. Asks the migrated state, so a site
    migrated back to before the search index is left alone."""
    try:
        model = (apps or global_apps).get_model("articles", "Article")
    except LookupError:
        return
    missing = missing_storage(using, model)
    if missing:
        create_storage(connections[using], missing)
        rebuild(model, missing)
    drop_orphans(connections[using], model, missing)


def drop_orphans(db, model, missing):
    """SQLite's entries of articles that are gone. `flush`, which sends post_migrate too, empties
    the models' tables but not the FTS5 tables, which are not a model's: an entry left behind
    would be found under the next article given its id."""
    if db.vendor != "sqlite":
        return  # PostgreSQL's entries are columns of the article's own row
    table = model._meta.db_table
    with db.cursor() as cursor:
        for language in indexed_languages(model):
            if language not in missing:
                cursor.execute(
                    f"DELETE FROM {fts_table(language)} WHERE rowid NOT IN "  # noqa: S608
                    f"(SELECT id FROM {table})"
                )
