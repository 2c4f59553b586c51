"""A Russian reader never meets an English UI word outside text marked lang="en"."""

import re
from html.parser import HTMLParser

import pytest

ENGLISH_UI_WORDS = [
    "About", "All", "Articles", "Author", "Back", "Contents", "English", "Feed", "Home",
    "Language", "Latest", "Newer", "Next", "Nothing", "Older", "Page", "Pages", "Part",
    "Previous", "Read", "Russian", "Search", "Series", "Skip", "Subscribe", "Tag", "article",
    "articles", "hub", "latest", "min", "part", "parts", "published", "translated",
]  # fmt: skip
WORD = re.compile(r"\b(" + "|".join(ENGLISH_UI_WORDS) + r")\b")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
NOT_UI = {"head", "pre", "code", "script", "style"}
UI_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder"}


class RussianText(HTMLParser):
    """Collects the text and UI attributes a reader meets outside lang="en" blocks and code."""

    def __init__(self):
        super().__init__()
        self.stack = [("root", False)]
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        parent_skipped = self.stack[-1][1]
        skipped = parent_skipped or tag in NOT_UI or attributes.get("lang", "").startswith("en")
        if not skipped:
            self.found += [value for name, value in attrs if name in UI_ATTRIBUTES and value]
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self.stack[-1][1]:
            self.found.append(data)


def english_words(html):
    parser = RussianText()
    parser.feed(html)
    return sorted({match for text in parser.found for match in WORD.findall(text)})


def test_the_scanner_sees_english_outside_lang_en_and_ignores_it_inside():
    html = '<p>Далее <a title="Next page">→</a></p><div lang="en"><p>Series</p></div><pre>min</pre>'
    assert english_words(html) == ["Next"]


RUSSIAN_PAGES = [
    "/ru/",
    "/ru/?page=2",
    "/ru/posts/postgres-connection-pool-sizing/",
    "/ru/posts/asyncio-backpressure/",
    "/ru/posts/postgres-production-backups-restored/",
    "/ru/series/",
    "/ru/series/postgres-in-production/",
    "/ru/tags/databases/",
    "/ru/authors/dmitry-volkov/",
    "/ru/search/?q=postgres",
    "/ru/newsletter/",
    "/ru/archive/",
    "/ru/archive/2026/",
    "/ru/no-such-page/",
]


@pytest.mark.parametrize("url", RUSSIAN_PAGES)
def test_russian_pages_have_no_english_ui_words(client, demo_content, url):
    response = client.get(url)
    assert response.status_code in {200, 404}
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert english_words(html) == [], url
