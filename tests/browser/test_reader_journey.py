import re

import pytest
from playwright.sync_api import expect


@pytest.fixture
def demo_site(site, demo_content):
    return site


def test_reader_journey_hub_article_series_language_search_tag(page, demo_site):
    page.goto(f"{demo_site}/en/")
    page.get_by_role(
        "link", name="What to measure first on a PostgreSQL you have just inherited"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("What to measure first")

    strip = page.get_by_role("navigation", name="Series navigation", exact=True)
    expect(strip).to_contain_text("Part 1 of 4")
    strip.get_by_role("link", name="Next →").click()
    expect(page.get_by_role("navigation", name="Series navigation", exact=True)).to_contain_text(
        "Part 2 of 4"
    )

    page.get_by_role("link", name="← Series hub").first.click()
    expect(page).to_have_url(re.compile(r"/en/series/postgres-in-production/$"))
    expect(page.get_by_text(re.compile(r"Next part on"))).to_be_visible()

    page.get_by_role("navigation", name="Language").get_by_role("link", name="RU").click()
    expect(page).to_have_url(re.compile(r"/ru/series/postgres-in-production/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("PostgreSQL в продакшене")

    page.get_by_role("navigation", name="Основная навигация").get_by_role(
        "link", name="Поиск"
    ).click()
    page.get_by_label("Поиск по статьям").fill("pgbouncer")
    page.get_by_label("Поиск по статьям").press("Enter")
    expect(page).to_have_url(re.compile(r"/ru/search/\?q=pgbouncer$"))
    page.get_by_role("link", name="Размер пула соединений PostgreSQL: разбор на примере").click()

    page.get_by_role("link", name="Базы данных").first.click()
    expect(page).to_have_url(re.compile(r"/ru/tags/databases/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Базы данных")


def test_theme_choice_is_remembered_and_applied_before_paint(page, demo_site):
    page.emulate_media(color_scheme="light")
    page.goto(f"{demo_site}/en/")
    toggle = page.get_by_role("button", name="Dark theme")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")

    # On the next page the theme is set by the inline script in <head>, before any paint.
    page.goto(f"{demo_site}/en/series/", wait_until="commit")
    page.wait_for_selector("body", state="attached")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 21, 25)"


def test_code_blocks_get_a_copy_button(page, demo_site, context):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{demo_site}/en/posts/postgres-connection-pool-sizing/")
    button = page.locator(".copy-button").first  # its name changes when clicked
    expect(button).to_have_accessible_name("Copy")
    button.click()
    expect(button).to_have_text("Copied")
    assert "pool_mode = transaction" in page.evaluate("navigator.clipboard.readText()")


def test_pages_read_well_without_javascript(browser, demo_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{demo_site}/ru/posts/postgres-connection-pool-sizing/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Содержание")).to_be_visible()
    expect(page.locator(".theme-toggle")).to_be_hidden()
    expect(page.locator(".copy-button")).to_have_count(0)
    context.close()


@pytest.mark.parametrize("width", [320, 375])
def test_nothing_overflows_a_phone_screen(page, demo_site, width):
    page.set_viewport_size({"width": width, "height": 800})
    for path in ["/en/", "/ru/posts/postgres-connection-pool-sizing/", "/en/series/"]:
        page.goto(demo_site + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path
