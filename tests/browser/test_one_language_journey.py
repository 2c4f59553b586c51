"""A reader meets an article written in Russian only: on the Russian edition as any other, on
the English one listed with its language marked, or, kept off it, pointed to where it is."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1100, "height": 900}}


@pytest.fixture
def shots(tmp_path):
    """Where the screenshots go: SCREENSHOT_DIR to look at them, else the test's own folder."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def russian_only(make_article, author):
    def make(**fields):
        return make_article(
            title_en="",
            summary_en="",
            body_en="",
            title_ru="Огни гавани",
            summary_ru="Фонари вдоль причала: как их считают.",
            body_ru="## Зачем\n\nЧтобы видеть берег.",
            author=author,
            **fields,
        )

    return make


def test_a_russian_only_article_reads_on_the_russian_edition(page, site, russian_only):
    russian_only(slug="harbour")
    page.goto(f"{site}/ru/")
    card = page.locator("article.card", has_text="Огни гавани")
    expect(card).to_be_visible()
    expect(card.locator(".lang-badge")).to_have_count(0)
    card.get_by_role("link", name="Огни гавани").click()
    expect(page).to_have_url(f"{site}/ru/posts/harbour/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Огни гавани")
    expect(page.locator(".fallback-note")).to_have_count(0)


def test_listed_on_the_english_edition_it_is_marked_russian(page, site, russian_only, shots):
    russian_only(slug="harbour")
    page.goto(f"{site}/en/")
    card = page.locator("article.card", has_text="Огни гавани")
    link = card.get_by_role("link", name="Огни гавани")
    expect(link).to_have_attribute("lang", "ru")
    expect(card.locator(".lang-badge")).to_have_text("RU")
    expect(card.locator(".lang-badge")).to_be_visible()
    card.screenshot(path=shots / "one-language-ru-card-on-en.png")
    page.screenshot(path=shots / "one-language-en-hub.png")

    link.click()
    expect(page).to_have_url(f"{site}/en/posts/harbour/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_attribute("lang", "ru")
    expect(page.locator(".fallback-note")).to_contain_text("(Russian)")
    page.screenshot(path=shots / "one-language-ru-article-on-en.png")


def test_kept_off_the_english_edition_the_switcher_lands_on_the_english_hub_with_a_note(
    page, site, russian_only, shots
):
    russian_only(slug="harbour", hidden_languages=["en"])
    page.goto(f"{site}/en/")
    expect(page.get_by_text("Огни гавани")).to_have_count(0)

    page.goto(f"{site}/ru/posts/harbour/")
    page.get_by_role("link", name="EN", exact=True).click()
    expect(page).to_have_url(f"{site}/en/?not_in_edition=1")
    expect(page.locator(".not-in-edition-note")).to_be_visible()

    response = page.goto(f"{site}/en/posts/harbour/")
    assert response.status == 404
    page.screenshot(path=shots / "one-language-kept-off-404.png")
    page.get_by_role("link", name="Огни гавани").click()
    expect(page).to_have_url(f"{site}/ru/posts/harbour/")
