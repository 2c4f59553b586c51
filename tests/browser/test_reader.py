import re

from playwright.sync_api import expect


def test_reader_opens_an_article_from_the_hub_and_switches_to_russian(
    page, site, make_article, author
):
    make_article(
        title_en="Pool sizing",
        title_ru="Размер пула",
        slug="pool-sizing",
        summary_en="Size it to the cores.",
        body_en="## Why\n\nBecause.\n\n## How\n\nMeasure.",
        body_ru="## Зачем\n\nПотому что.\n\n## Как\n\nИзмерить.",
        author=author,
    )
    make_article(title_en="Untranslated", slug="untranslated", author=author)

    page.goto(f"{site}/en/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Engineering insights")
    page.get_by_role("link", name="Pool sizing").click()

    expect(page).to_have_url(re.compile(r"/en/posts/pool-sizing/$"))
    toc = page.get_by_role("navigation", name="Contents")
    toc.get_by_role("link", name="How").click()
    expect(page).to_have_url(re.compile(r"#how$"))

    page.get_by_role("link", name="RU", exact=True).click()
    expect(page).to_have_url(re.compile(r"/ru/posts/pool-sizing/#?$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text("Размер пула")

    page.get_by_role("link", name="Инженерные инсайты").click()
    expect(page.locator("h2 a[lang=en]", has_text="Untranslated")).to_be_visible()


def test_author_writes_markdown_and_sees_the_live_preview(page, site, admin_user, author):
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "password")
    page.click("input[type=submit]")

    page.goto(f"{site}/admin/articles/article/add/")
    page.fill("#id_title_en", "Written in the browser")
    page.fill("#id_body_en", "## Hello\n\n```python\nprint(42)\n```")
    preview = page.frame_locator("#tab_id_body_en .desk-preview")
    expect(preview.locator(".prose h2#hello")).to_have_text("Hello")
    expect(preview.locator(".highlight")).to_be_visible()
    # Styled by the site's stylesheet: code colours and the code block's surface.
    name = preview.locator(".highlight .nb", has_text="print")
    expect(name).to_have_css("color", "rgb(11, 87, 194)")
    expect(preview.locator(".highlight pre")).to_have_css("background-color", "rgb(244, 246, 249)")
    page.locator("#id_author + .select2").click()
    page.locator(".select2-search__field").fill("Ada")
    page.locator(".select2-results__option", has_text="Ada Writer").click()
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
