"""Full-text search over live articles: PostgreSQL's own search where we have it, else LIKE."""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q

MAX_QUERY_LENGTH = 200
# Both editions are searched: a Russian page also lists articles that exist only in English.
CONFIGS = {"en": "english", "ru": "russian"}
WEIGHTS = {"title": "A", "summary": "B", "body": "C"}


def search_vector():
    parts = [
        SearchVector(f"{field}_{language}", weight=weight, config=config)
        for language, config in CONFIGS.items()
        for field, weight in WEIGHTS.items()
    ]
    vector = parts[0]
    for part in parts[1:]:
        vector += part
    return vector


def search(articles, query):
    """Rank `articles` (already live) against what the reader typed."""
    if connection.vendor == "postgresql":
        search_query = SearchQuery(query, search_type="websearch", config="english")
        search_query |= SearchQuery(query, search_type="websearch", config="russian")
        return (
            articles.annotate(rank=SearchRank(search_vector(), search_query))
            .filter(rank__gt=0)
            .order_by("-rank", "-published_at")
        )
    # Operators and punctuation are no words to find (PostgreSQL's websearch ignores them too).
    words = re.findall(r"\w+", query)
    if not words:
        return articles.none()
    matches = Q()
    for word in words:
        word_matches = Q()
        for language in CONFIGS:
            for field in WEIGHTS:
                word_matches |= Q(**{f"{field}_{language}__icontains": word})
        matches &= word_matches
    return articles.filter(matches)
