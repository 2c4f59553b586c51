"""Full-text search over live articles in the page's language, ranked, with highlighted snippets.

The stored index (`articles/search_index.py`) does the matching: PostgreSQL's weighted
`tsvector` with the language's configuration, or SQLite's FTS5 over Snowball stems. Whatever
a reader types is data: PostgreSQL parses it with `websearch_to_tsquery`, which accepts any
text; for FTS5 we keep only words, quoted, so no character can act as an operator.
"""

import re
import unicodedata
from collections.abc import Sequence

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import Article
from articles.querysets import CARD_SKIPS
from articles.search_index import config, fts_table, plain_text, shown, vector_field, yo_as_ye
from articles.stemming import WORD, stem

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
        ids = postgres_ranked_ids(live, query, language)
    else:
        ids = sqlite_ranked_ids(live, wanted, unwanted, language)
    return SearchResults(ids, wanted, language)


def postgres_ranked_ids(live, query, language):
    field = vector_field(language)
    search_query = SearchQuery(yo_as_ye(query), search_type="websearch", config=config(language))
    return list(
        live.filter(**{field: search_query})
        .annotate(rank=SearchRank(F(field), search_query))
        .order_by("-rank", "-published_at", "-pk")
        .values_list("pk", flat=True)
    )


def sqlite_ranked_ids(live, wanted, unwanted, language):
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
        f"SELECT id FROM matches WHERE id IN ({live_sql}) ORDER BY score, id DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, *live_params])
        return [row[0] for row in cursor.fetchall()]


class SearchResults(Sequence):
    """Ranked ids, of which only the page being shown is loaded (for Django's Paginator)."""

    def __init__(self, ids, stems, language):
        self.ids, self.stems, self.language = ids, set(stems), language

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
        for text in (
            shown(article, "summary", self.language),
            plain_text(shown(article, "body_html", self.language)),
        ):
            marked = highlight(text, self.stems, SNIPPET_WORDS)
            if "<mark>" in marked:
                return marked
        return highlight(shown(article, "summary", self.language), set(), SNIPPET_WORDS)


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
