import re

from playwright.sync_api import expect


def test_reader_follows_a_series_from_its_hub_to_the_end_and_back(page, site, make_series):
    make_series(parts=4)

    page.goto(f"{site}/en/series/guide/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The guide")
    page.get_by_role("link", name="Guide part 1").click()

    for number in range(1, 5):
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Guide part {number}")
        top = page.get_by_role("navigation", name="Series navigation", exact=True)
        expect(top).to_contain_text(f"Part {number} of 4")
        if number < 4:
            top.get_by_role("link", name="Next →").click()

    expect(page.get_by_role("link", name="Next →")).to_have_count(0)
    bottom = page.get_by_role("navigation", name="Series navigation, end of article")
    bottom.get_by_role("link", name="← Series hub").click()
    expect(page).to_have_url(re.compile(r"/en/series/guide/$"))
