"""Full-text search over live articles in the page's language, ranked, with highlighted snippets.

The stored index (`articles/search_index.py`) does the matching: PostgreSQL's weighted
`tsvector` with the language's configuration, or SQLite's FTS5 over Snowball stems. Whatever
a reader types is data: PostgreSQL parses it with `websearch_to_tsquery`, which accepts any
text; for FTS5 we keep only words, quoted, so no character can act as an operator.

What "best first" means, on both databases: the score of the whole entry (PostgreSQL's
`ts_rank`, FTS5's weighted bm25: title above tags above summary above body), ties newest
first (then the higher id). Only a bounded set of candidates is scored: the CANDIDATES newest
matches. Scoring reads each candidate's stored entry (a TOASTed `tsvector` on PostgreSQL),
so scoring every match of a common word cost time in proportion to the archive (~80 ms at
10,000 articles, more at 100,000); the newest CANDIDATES are found by walking the
`published_at` index (or, for a rare word, the GIN index), whatever the archive's size. A
query with at most CANDIDATES matches, which is nearly every real query, is ranked exactly
as before; one with more is ranked among its CANDIDATES newest matches and the page says
"more than" that many (bench/RESULTS.md, "Search").
"""

import re
import unicodedata
from collections.abc import Sequence

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import Article
from articles.querysets import CARD_SKIPS
from articles.search_index import config, fts_table, plain_text, shown, vector_field, yo_as_ye
from articles.stemming import WORD, stem
from sitewide.languages import shown_with

MAX_QUERY_LENGTH = 200
# bm25 weights in FTS5 column order (title, tags, summary, body), as PostgreSQL's A > B > C > D.
BM25_WEIGHTS = "10.0, 5.0, 2.0, 1.0"
SNIPPET_WORDS = 36
# A result shows its title, summary and a passage of the rendered body (in each language, for
# the fallback), nothing else a card leaves out. (Deferring the original `body_html` column
# would defer its translations with it: modeltranslation widens a deferred name.)
RESULT_SKIPS = [field for field in CARD_SKIPS if not re.fullmatch(r"body_html(_[a-z]+)?", field)]
# A word marked "-word" (after a space or at the start) is one the reader wants left out.
EXCLUDED = re.compile(r"(?:^|\s)-([^\W_]+)")
# How many of the newest matches are ranked (see the module's docstring): 50 pages of 10.
CANDIDATES = 500


def clean_query(raw):
    """What the reader typed, without control or format characters, spaces collapsed, capped."""
    kept = "".join(
        " " if unicodedata.category(char).startswith(("C", "Z")) else char for char in raw
    )
    return " ".join(kept.split())[:MAX_QUERY_LENGTH]


def query_stems(query):
    """(wanted, unwanted) stems, in the order typed, without repeats."""
    unwanted = {stem(word) for word in EXCLUDED.findall(query)}
    wanted = [stem(word) for word in WORD.findall(EXCLUDED.sub(" ", query))]
    wanted = list(dict.fromkeys(s for s in wanted if s not in unwanted))
    return wanted, sorted(unwanted)


def search(query, language):
    """Live, listed articles matching `query` in `language`, best first, as a lazy sequence."""
    wanted, unwanted = query_stems(query)
    if not wanted:
        return SearchResults([], wanted, language)
    live = Article.objects.live().listed()
    if connection.vendor == "postgresql":
        newest = postgres_candidates(live, query, language)
    else:
        newest = sqlite_candidates(live, wanted, unwanted, language)
    more = len(newest) > CANDIDATES
    return SearchResults(best_first(newest[:CANDIDATES]), wanted, language, more=more)


def best_first(newest):
    """Ids of (id, score) rows given newest first, by score; ties keep their newest-first
    order (the sort is stable)."""
    return [pk for pk, _ in sorted(newest, key=lambda row: row[1], reverse=True)]


def postgres_candidates(live, query, language):
    """(id, ts_rank) of the CANDIDATES + 1 newest matches, newest first."""
    field = vector_field(language)
    search_query = SearchQuery(yo_as_ye(query), search_type="websearch", config=config(language))
    newest = (
        live.filter(**{field: search_query})
        .order_by("-published_at", "-pk")
        .values_list("pk", "published_at")[: CANDIDATES + 1]
    )
    newest_sql, newest_params = newest.query.sql_with_params()
    # Scored outside the LIMIT's subquery, so only the rows it keeps are read and scored;
    # the vector is read there by id and never leaves the database (only its score does).
    table = Article._meta.db_table
    sql = (
        f"SELECT c.pk, ts_rank(article.{field}, websearch_to_tsquery(%s::regconfig, %s)) "  # noqa: S608 (our names, Django's SQL)
        f"FROM ({newest_sql}) AS c JOIN {table} AS article ON article.id = c.pk "
        "ORDER BY c.published_at DESC, c.pk DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [config(language), yo_as_ye(query), *newest_params])
        return cursor.fetchall()


def sqlite_candidates(live, wanted, unwanted, language):
    """(id, -bm25) of the CANDIDATES + 1 newest matches, newest first."""
    # Stems are letters and digits only; quoting them makes each a plain FTS5 string.
    match = " AND ".join(f'"{term}"' for term in wanted)
    if unwanted:
        left_out = " OR ".join(f'"{term}"' for term in unwanted)
        match = f"({match}) NOT ({left_out})"
    live_sql, live_params = live.values("pk").query.sql_with_params()
    table = fts_table(language)
    # Matches are scored once, then kept if live: asked the other way round, SQLite runs
    # the full-text query again for every live article.
    sql = (
        f"WITH matches AS MATERIALIZED (SELECT rowid AS id, bm25({table}, {BM25_WEIGHTS}) AS score "  # noqa: S608 (our table, Django's SQL)
        f"FROM {table} WHERE {table} MATCH %s) "
        "SELECT matches.id, -matches.score FROM matches "
        f"JOIN {Article._meta.db_table} AS article ON article.id = matches.id "
        f"WHERE matches.id IN ({live_sql}) "
        "ORDER BY article.published_at DESC, article.id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, *live_params, CANDIDATES + 1])
        return cursor.fetchall()


class SearchResults(Sequence):
    """Ranked ids, of which only the page being shown is loaded (for Django's Paginator)."""

    def __init__(self, ids, stems, language, more=False):
        self.ids, self.stems, self.language = ids, set(stems), language
        # More articles match than were ranked (CANDIDATES): the page says "more than".
        self.more = more

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = self.ids[index]
        articles = Article.objects.with_author_and_tags().defer(*RESULT_SKIPS).in_bulk(ids)
        page = [articles[pk] for pk in ids if pk in articles]
        for article in page:
            article.title_marked = highlight(shown(article, "title", self.language), self.stems)
            article.snippet = self.snippet(article)
        return page

    def snippet(self, article):
        summary = shown_with(article, "summary", "title", self.language)
        body = plain_text(shown(article, "body_html", self.language))
        for text in (summary, body):
            marked = highlight(text, self.stems, SNIPPET_WORDS)
            if "<mark>" in marked:
                return marked
        return highlight(summary or body, set(), SNIPPET_WORDS)


def highlight(text, stems, window=None):
    """`text`, escaped, with the words whose stem was searched for in <mark>.

    With a window, only about that many words around the first match, with ellipses.
    """
    matches = list(WORD.finditer(text))
    if window is not None:
        first = next((i for i, m in enumerate(matches) if stem(m.group()) in stems), 0)
        start_word = max(0, first - window // 3)
        end_word = min(len(matches), start_word + window)
        if not matches:
            return escape(text)
        begin = matches[start_word].start() if start_word else 0
        end = matches[end_word - 1].end() if end_word < len(matches) else len(text)
        matches = matches[start_word:end_word]
    else:
        begin, end = 0, len(text)
    parts = ["…"] if begin else []
    position = begin
    for match in matches:
        if stem(match.group()) in stems:
            parts += [escape(text[position : match.start()]), "<mark>", escape(match.group())]
            parts.append("</mark>")
            position = match.end()
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append("…")
    return mark_safe("".join(parts))  # noqa: S308 (every piece of text above is escaped)
