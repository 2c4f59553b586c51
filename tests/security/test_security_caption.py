"""The figure caption is text made from the image title, escaped whatever nh3 does."""

import re
from html.parser import HTMLParser
from importlib.metadata import version

import pytest

from articles import rendering

TITLES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "</figcaption><svg onload=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "a &amp; b < c > d",
]


def old_nh3_clean(html, **options):
    """nh3 before 0.3.8: `<` and `>` inside attribute values came out unescaped."""
    cleaned = old_nh3_clean.real(html, **options)
    return re.sub(
        r'title="([^"]*)"',
        lambda m: 'title="{}"'.format(m.group(1).replace("&lt;", "<").replace("&gt;", ">")),
        cleaned,
    )


@pytest.fixture(params=["installed nh3", "nh3 before 0.3.8"])
def sanitizer(request, monkeypatch):
    if request.param == "nh3 before 0.3.8":
        old_nh3_clean.real = rendering.nh3.clean
        monkeypatch.setattr(rendering.nh3, "clean", old_nh3_clean)


class Markup(HTMLParser):
    """The tags and attributes a browser would build from the HTML."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.attributes = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [name for name, _value in attrs]


def caption(html):
    return re.search(r"<figcaption>(.*?)</figcaption>", html, re.S).group(1)


@pytest.mark.parametrize("title", TITLES)
def test_an_image_title_is_only_text_in_the_caption(sanitizer, title):
    markdown_title = title.replace('"', "&quot;")
    markdown = f'![A chart](https://example.org/c.png "{markdown_title}")'
    html = rendering.render_article_body(markdown).html
    markup = Markup(html)
    assert markup.tags == ["figure", "img", "figcaption"]
    assert not [name for name in markup.attributes if name.startswith("on")]
    assert "<" not in caption(html)


def test_the_caption_reads_as_the_title(sanitizer):
    html = rendering.render_article_body('![A chart](https://example.org/c.png "a < b & c")').html
    assert caption(html) == "a &lt; b &amp; c"


def test_the_declared_sanitizer_is_at_least_the_fixed_version():
    assert tuple(int(part) for part in version("nh3").split(".")[:3]) >= (0, 3, 8)
