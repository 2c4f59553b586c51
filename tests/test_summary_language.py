"""A summary is shown in the language of the title above it: an article written in a language
whose summary there is empty (an import, the API) shows no other language's summary as this
one's, on a card, its page, in its description for search engines and sharing sites, feeds,
search, the newsletter or the Content API. Where a description is due, the opening of its
body in the same language stands in.

An article written only in another language keeps showing that language's summary, marked so.
"""

import json
from urllib.parse import quote

import pytest
from django.conf import settings
from factories import new_article, new_author, new_tag
from lxml import etree
from lxml import html as lxml_html

from articles.models import Article
from articles.preview import preview_url
from newsletter.emails import issue_message
from newsletter.models import Issue, Subscriber
from series.models import Series, SeriesPart

LANGUAGES = [code for code, _name in settings.LANGUAGES][:2]
# The only literals: fixtures. `opening` is the body's first paragraph, under a heading and an
# image; no word of the title is in the body.
TEXT = {
    "en": {
        "heading": "Evening",
        "title": "Harbour lights",
        "summary": "Lanterns along the quay.",
        "opening": "Every evening the keeper walks the quay and kindles each lamp by hand.",
    },
    "ru": {
        "heading": "Вечер",
        "title": "Огни гавани",
        "summary": "Фонари вдоль причала.",
        "opening": "Каждый вечер смотритель обходит причал и зажигает каждый фонарь вручную.",
    },
}
# The edition read, and whether the article has that edition's other language's title and
# body too: in either case its summary is written in the other language only.
CASES = [
    pytest.param((edition, bilingual), id=f"{edition}-{'both' if bilingual else 'only'}")
    for edition in LANGUAGES
    for bilingual in (False, True)
]
SLUG = "harbour"


def other(language):
    return next(code for code in LANGUAGES if code != language)


def body(language):
    text = TEXT[language]
    return f"## {text['heading']}\n\n![A lamp](https://example.org/lamp.png)\n\n{text['opening']}"


def make_article(edition, bilingual):
    """The article, a tag, an author, a series and a neighbour that lists it as related."""
    written = [edition, other(edition)] if bilingual else [edition]
    fields = {f"{field}_{code}": "" for field in ("title", "summary", "body") for code in LANGUAGES}
    for code in written:
        fields |= {f"title_{code}": TEXT[code]["title"], f"body_{code}": body(code)}
    fields[f"summary_{other(edition)}"] = TEXT[other(edition)]["summary"]
    author = new_author(name="Keeper", slug="keeper")
    tag = new_tag(slug="harbours", name_en="Harbours", name_ru="Гавани")
    article = new_article(slug=SLUG, author=author, tags=[tag], **fields)
    new_article(slug="neighbour", author=author, tags=[tag], title_ru="Сосед", body_ru="Текст.")
    series = Series.objects.create(slug="harbours", title_en="Harbours", title_ru="Гавани")
    SeriesPart.objects.create(series=series, article=article, position=1)
    return article


@pytest.fixture(params=CASES)
def case(request, db):
    edition, bilingual = request.param
    make_article(edition, bilingual)
    return edition


def stray(edition):
    """The other language's summary: what this edition must not show for this article."""
    return TEXT[other(edition)]["summary"]


def get(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/{lang}/",
        "/{lang}/tags/harbours/",
        "/{lang}/authors/keeper/",
        "/{lang}/series/harbours/",
        "/{lang}/posts/neighbour/",  # its related reading
    ],
)
def test_a_card_shows_no_other_languages_summary(client, case, path):
    html = get(client, path.format(lang=case))
    assert f'href="/{case}/posts/{SLUG}/"' in html
    assert stray(case) not in html


def test_the_article_page_has_no_lede_and_describes_itself_by_its_opening(client, case):
    html = get(client, f"/{case}/posts/{SLUG}/")
    assert stray(case) not in html
    page = lxml_html.fromstring(html)
    assert not page.xpath('//p[@class="lede"]')
    opening = TEXT[case]["opening"]
    for name in ("description", "og:description", "twitter:description"):
        node = page.xpath(f'//head/meta[@name="{name}" or @property="{name}"]')[0]
        assert node.get("content") == opening, name
    blocks = [
        json.loads(text) for text in page.xpath('//script[@type="application/ld+json"]/text()')
    ]
    posting = next(block for block in blocks if block.get("@type") == "BlogPosting")
    assert posting["description"] == opening


def test_a_preview_describes_itself_by_its_opening(client, case):
    article = Article.objects.get(slug=SLUG)
    article.unpublish()
    page = lxml_html.fromstring(get(client, preview_url(article, case)))
    assert page.xpath('//head/meta[@name="description"]/@content') == [TEXT[case]["opening"]]


def feed_descriptions(client, edition):
    """The entry's description in RSS, Atom and JSON Feed."""
    rss = etree.fromstring(get(client, f"/{edition}/feed/").encode())
    atom = etree.fromstring(get(client, f"/{edition}/feed/atom/").encode())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    json_feed = json.loads(get(client, f"/{edition}/feed.json"))
    return {
        "rss": rss.xpath(f'//item[contains(link, "/posts/{SLUG}/")]/description/text()'),
        "atom": atom.xpath(
            f'//a:entry[a:link[contains(@href, "/posts/{SLUG}/")]]/a:summary/text()', namespaces=ns
        ),
        "json feed": [
            item["summary"] for item in json_feed["items"] if item["url"].endswith(f"/{SLUG}/")
        ],
    }


def test_a_feed_entry_is_described_by_its_opening(client, case):
    descriptions = feed_descriptions(client, case)
    assert descriptions == {feed: [TEXT[case]["opening"]] for feed in descriptions}


def test_a_search_result_shows_no_other_languages_summary(client, case):
    # Found by its title: the snippet is then the summary, or the body's opening.
    word = TEXT[case]["title"].split()[-1]
    html = get(client, f"/{case}/search/?q={quote(word)}")
    assert f'href="/{case}/posts/{SLUG}/"' in html
    assert stray(case) not in html
    assert TEXT[case]["opening"].split()[0] in html


def test_the_search_index_holds_no_other_languages_summary(client, case):
    # Searched for by a word of the other language's summary, the article is not found here.
    word = stray(case).split()[0]
    html = get(client, f"/{case}/search/?q={quote(word)}")
    assert f'href="/{case}/posts/{SLUG}/"' not in html


def test_the_newsletter_shows_no_other_languages_summary(case):
    reader = Subscriber.objects.create(
        email="reader@example.org", status="confirmed", language=case
    )
    issue = Issue.objects.create(subject_en="Weekly", subject_ru="Неделя")
    issue.articles.set([Article.objects.get(slug=SLUG)])
    message = issue_message(issue, reader)
    assert TEXT[case]["title"] in message.body
    assert stray(case) not in message.body
    assert stray(case) not in message.alternatives[0][0]


def test_the_api_excerpt_is_the_opening_of_the_text_not_another_languages_summary(client, case):
    posts = json.loads(get(client, f"/api/v1/posts/?lang={case}"))["posts"]
    [post] = [post for post in posts if post["slug"] == SLUG]
    assert post["title"] == TEXT[case]["title"]
    assert post["excerpt"] == TEXT[case]["opening"]


@pytest.mark.parametrize("edition", LANGUAGES)
def test_an_article_written_only_in_another_language_keeps_its_summary_marked(client, db, edition):
    own = other(edition)
    fields = {f"{field}_{code}": "" for field in ("title", "summary", "body") for code in LANGUAGES}
    fields |= {
        f"title_{own}": TEXT[own]["title"],
        f"summary_{own}": TEXT[own]["summary"],
        f"body_{own}": body(own),
    }
    new_article(slug=SLUG, **fields)
    hub = lxml_html.fromstring(get(client, f"/{edition}/"))
    [card] = hub.xpath('//p[@class="card-summary"]')
    assert (card.text_content(), card.get("lang")) == (TEXT[own]["summary"], own)
    page = lxml_html.fromstring(get(client, f"/{edition}/posts/{SLUG}/"))
    [lede] = page.xpath('//p[@class="lede"]')
    assert (lede.text_content(), lede.get("lang")) == (TEXT[own]["summary"], own)
    assert page.xpath('//head/meta[@name="description"]/@content') == [TEXT[own]["summary"]]
    descriptions = feed_descriptions(client, edition)
    assert descriptions == {feed: [TEXT[own]["summary"]] for feed in descriptions}
