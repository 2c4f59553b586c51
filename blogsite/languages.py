from urllib.parse import urlsplit, urlunsplit

from django.urls import translate_url
from django.utils import translation


def url_in_language(url, language):
    """The same address in another language, query and fragment kept.

    The address is resolved in the language of its own prefix, not the request's: a
    reader whose browser prefers English still gets /en/... for /ru/.... An address
    that resolves nowhere (a 404, a path missing its trailing slash) keeps its path and
    changes its prefix, so the reader lands on the same address in the other language.
    An address without a language prefix (/) is left to the language cookie.
    """
    parts = urlsplit(url)
    url_language = translation.get_language_from_path(parts.path)
    if url_language is None:
        return url
    with translation.override(url_language):
        translated = translate_url(url, language)
    if translated != url or url_language == language:
        return translated
    segments = parts.path.split("/", 2)  # ["", prefix, rest]; the prefix may be a variant
    segments[1] = language
    return urlunsplit(parts._replace(path="/".join(segments)))
