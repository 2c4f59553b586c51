"""What an author writes reaches feed readers as text (summary) or as sanitized HTML (content).

A reader decodes the XML and then reads a description or an Atom summary of type html *as
HTML*. So the decoded summary must parse to text only, equal to what the author wrote, and
the decoded content may hold no script, no event handler and no javascript: address.
"""

import itertools

import pytest
from factories import new_article, new_author, new_tag
from lxml import etree
from lxml import html as lxml_html

PAYLOADS = [
    "<script>alert(1)</script>",
    "<ScRiPt src=//evil.example/x.js></ScRiPt>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">ent</a>',
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<style>@import 'javascript:alert(1)';</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "--><script>alert(1)</script>",
    "]]><script>alert(1)</script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&amp;lt;script&amp;gt;alert(1)",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\\u003Cscript\\u003Ealert(1)",
    "<scr<script>ipt>alert(1)</script>",
    "<form action=javascript:alert(1)><button>go</button></form>",
    "<base href=javascript:alert(1)//>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<textarea><script>alert(1)</script></textarea>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    "Cyrillic «Индексы» <b onclick=alert(1)>жирный</b>",
]
# Each payload alone, and inside ordinary prose.
VECTORS = PAYLOADS + [f"Pools & queues {payload} matter." for payload in PAYLOADS[::3]]
FEEDS = ["/en/feed/", "/en/feed/atom/", "/ru/feed/", "/ru/feed/atom/"]
ATOM = "{http://www.w3.org/2005/Atom}"
DANGEROUS_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "form",
    "base",
    "meta",
    "link",
    "svg",
    "math",
}


def decoded(feed_xml, rss_tag, atom_tag):
    """The text of each entry's element, as a feed reader has it after reading the XML."""
    root = etree.fromstring(feed_xml)
    nodes = root.findall(f"channel/item/{rss_tag}") or root.findall(f"{ATOM}entry/{ATOM}{atom_tag}")
    assert nodes
    return [node.text or "" for node in nodes]


def as_html(text):
    return lxml_html.fragment_fromstring(text, create_parent="div")


def make_articles_with(field, vectors):
    author = new_author(name="Ada Writer", slug="ada-writer")
    for number, vector in enumerate(vectors):
        new_article(slug=f"vector-{number}", author=author, **{field: vector})


@pytest.fixture
def articles_with(db, made_once):
    """Articles with each vector in `field`; each set made once for the module (made_once)
    and copied into each test that asks for it."""

    def make(field, vectors):
        made_once((field, tuple(vectors)), lambda: make_articles_with(field, vectors))

    return make


@pytest.mark.parametrize("feed", FEEDS)
def test_a_summary_reaches_feed_readers_as_plain_text(client, articles_with, feed):
    articles_with("summary_en", VECTORS[:20])
    assert_summaries_are_text(client, feed, VECTORS[:20])


@pytest.mark.parametrize("feed", FEEDS)
def test_more_summaries_reach_feed_readers_as_plain_text(client, articles_with, feed):
    articles_with("summary_en", VECTORS[20:40])
    assert_summaries_are_text(client, feed, VECTORS[20:40])


@pytest.mark.parametrize("feed", ["/en/feed/", "/en/feed/atom/"])
def test_the_last_summaries_reach_feed_readers_as_plain_text(client, articles_with, feed):
    articles_with("summary_en", VECTORS[40:])
    assert_summaries_are_text(client, feed, VECTORS[40:])


def assert_summaries_are_text(client, feed, vectors):
    texts = decoded(client.get(feed).content, "description", "summary")
    assert len(texts) == len(vectors)
    for text in texts:
        fragment = as_html(text)
        assert len(fragment) == 0, text  # no element at all: the reader shows text
        assert fragment.text_content() in vectors


@pytest.mark.parametrize(
    ("feed", "chunk"), itertools.product(["/en/feed/", "/en/feed/atom/"], [0, 1])
)
def test_article_bodies_reach_feed_readers_sanitized(client, articles_with, feed, chunk):
    vectors = VECTORS[chunk * 20 : chunk * 20 + 20]
    articles_with("body_en", vectors)
    contents = decoded(
        client.get(feed).content, "{http://purl.org/rss/1.0/modules/content/}encoded", "content"
    )
    assert len(contents) == len(vectors)
    for content in contents:
        for element in as_html(content).iter():
            assert element.tag not in DANGEROUS_TAGS, content
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), content
                assert not value.strip().lower().startswith(("javascript:", "data:")), content


@pytest.mark.parametrize("feed", ["/en/feed/atom/"])
def test_titles_are_text_in_atom(client, articles_with, feed):
    articles_with("title_en", PAYLOADS[:15])
    root = etree.fromstring(client.get(feed).content)
    titles = root.findall(f"{ATOM}entry/{ATOM}title")
    assert titles
    for title in titles:
        assert title.get("type", "text") == "text"  # a reader never parses it as HTML
        assert title.text in PAYLOADS


CHANNEL_FEEDS = ["/en/tags/{tag}/feed/", "/en/tags/{tag}/feed/atom/", "/en/authors/{author}/feed/"]


def channel_description(feed_xml):
    root = etree.fromstring(feed_xml)
    node = root.find("channel/description")
    return (node if node is not None else root.find(f"{ATOM}subtitle")).text or ""


def make_named_tags_and_authors():
    """A tag, an author and an article of theirs for each payload, named with it."""
    made = []
    for number, vector in enumerate(PAYLOADS[:12]):
        vector = vector[:60]  # a tag name's length (PostgreSQL enforces it)
        tag = new_tag(name_en=vector, slug=f"tag-{number}")
        author = new_author(name=vector, slug=f"author-{number}")
        new_article(slug=f"vector-{number}", author=author, tags=[tag])
        made.append((tag.slug, author.slug, vector))
    return made


@pytest.mark.parametrize("feed", CHANNEL_FEEDS)
def test_a_tag_or_author_name_reaches_the_channel_description_as_text(client, db, made_once, feed):
    for tag, author, vector in made_once("named", make_named_tags_and_authors):
        url = feed.format(tag=tag, author=author)
        fragment = as_html(channel_description(client.get(url).content))
        assert len(fragment) == 0, url  # text only: no element for a reader to render
        assert vector in fragment.text_content()


# Saved before forms refused them; NUL is left out, as PostgreSQL cannot store it at all.
CONTROL = ["\x0b", "\x01", "\x1f", "\x08", "\x0c", "\ufffe"]


def make_control_characters():
    author = new_author(name="Ada\x0bLovelace", slug="ada")
    tag = new_tag(name_en="Ops\x01 notes", slug="ops")
    for number, char in enumerate(CONTROL):
        new_article(
            slug=f"control-{number}",
            title_en=f"Quarterly notes{char}part one",
            summary_en=f"Summary{char}here",
            author=author,
            tags=[tag],
        )


@pytest.mark.parametrize("feed", [*FEEDS[:2], "/en/tags/ops/feed/", "/en/authors/ada/feed/"])
def test_control_characters_in_text_never_break_a_feed(client, db, made_once, feed):
    made_once("control characters", make_control_characters)
    response = client.get(feed)
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert "Quarterly notespart one" in etree.tostring(root, encoding="unicode")
