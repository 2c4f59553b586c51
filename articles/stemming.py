"""Words and their stems, the same way for what we index and what a reader types.

Cyrillic words go through the Russian Snowball stemmer and every other word through the
English one, whatever the page's language, as PostgreSQL's `russian` configuration does:
Russian pages quote English terms all the time.
"""

import re
from functools import lru_cache

import snowballstemmer

# Letters and digits only: the underscore and punctuation separate words, as in FTS5's tokenizer.
WORD = re.compile(r"[^\W_]+")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_STEMMERS = {
    "russian": snowballstemmer.stemmer("russian"),
    "english": snowballstemmer.stemmer("english"),
}


def fold(word):
    """Case-folded, with «ё» read as «е» the way Russian readers type it."""
    return word.casefold().replace("ё", "е")


@lru_cache(maxsize=50_000)
def stem(word):
    folded = fold(word)
    stemmer = _STEMMERS["russian" if CYRILLIC.search(folded) else "english"]
    return stemmer.stemWord(folded)


def words(text):
    return WORD.findall(text or "")


def stems(text):
    """Every word of `text` as its stem, space-separated: the form the SQLite index stores."""
    return " ".join(stem(word) for word in words(text))
