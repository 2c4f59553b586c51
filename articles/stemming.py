"""Words and their stems, the same way for what we index and what a reader types.

Cyrillic words go through the Russian Snowball stemmer and every other word through the
English one, whatever the page's language, as PostgreSQL's `russian` configuration does:
Russian pages quote English terms all the time.
"""

import re
import threading
from functools import lru_cache

import snowballstemmer

# Letters and digits only: the underscore and punctuation separate words, as in FTS5's tokenizer.
WORD = re.compile(r"[^\W_]+")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# A Snowball stemmer keeps the word it is working on: one per thread (gunicorn runs threads,
# and two saves stemming at once broke each other's words).
_local = threading.local()


def stemmer(language):
    stemmers = _local.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(language)
    return stemmers[language]


def fold(word):
    """Case-folded, with «ё» read as «е» the way Russian readers type it."""
    return word.casefold().replace("ё", "е")


@lru_cache(maxsize=50_000)
def stem(word):
    folded = fold(word)
    return stemmer("russian" if CYRILLIC.search(folded) else "english").stemWord(folded)


def words(text):
    return WORD.findall(text or "")


def stems(text):
    """Every word of `text` as its stem, space-separated: the form the SQLite index stores."""
    return " ".join(stem(word) for word in words(text))
