import pytest
from playwright.sync_api import expect


@pytest.fixture
def browser_context_args(browser_context_args):
    # A new reader from a shared link: no cookie yet, a browser that prefers English.
    return {**browser_context_args, "locale": "en-US"}


def test_an_english_browser_switches_a_russian_article_to_english(page, site, make_article, author):
    make_article(
        title_en="Pool sizing",
        title_ru="Размер пула",
        slug="pool-sizing",
        body_ru="## Зачем\n\nПотому что.",
        author=author,
    )
    sent = []
    page.on("request", lambda request: sent.append(request.headers.get("accept-language")))
    page.goto(f"{site}/ru/posts/pool-sizing/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Размер пула")
    assert sent[0].startswith("en-US")

    page.get_by_role("link", name="EN", exact=True).click()

    expect(page).to_have_url(f"{site}/en/posts/pool-sizing/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pool sizing")
