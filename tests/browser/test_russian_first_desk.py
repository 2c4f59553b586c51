"""A Russian-writing author opens the desk in Russian, writes only in Russian and publishes for
review: the slug is the title in Latin letters, and nothing English is asked for."""

import pytest
from django.contrib.auth.models import Group, User
from group_setup import create_editorial_groups
from playwright.sync_api import expect

from articles.models import Article

PASSWORD = "pw-12345!"


@pytest.fixture
def boris(db, make_author):
    create_editorial_groups()  # a flush by an earlier live_server test drops them
    user = User.objects.create_user("boris", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Authors"))
    make_author(name="Boris Petrov", slug="boris-petrov", user=user, language="ru")
    return user


@pytest.fixture
def desk(page, site, boris):
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "boris")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("boris")
    page.goto(f"{site}/admin/articles/article/add/")
    return page


def test_the_desk_opens_in_russian_and_takes_an_article_in_russian_only(desk):
    # The Russian tabs are the open ones: the title and the writing desk.
    expect(desk.locator("#id_title_ru")).to_be_visible()
    expect(desk.locator("#id_title_en")).to_be_hidden()
    expect(desk.locator("#tab_id_body_ru .writing-desk")).to_be_visible()

    title = desk.locator("#id_title_ru")
    title.press_sequentially("Журнал предзаписи")
    # Playwright types letters off its US layout without key events; a reader's Russian layout
    # sends them, as this last key does.
    title.press("End")
    # Django's URLify turns the Russian title into a Latin slug as it is typed.
    expect(desk.locator("#id_slug")).to_have_value("zhurnal-predzapisi")
    desk.locator("#tab_id_body_ru textarea").fill("## Зачем\n\nЧтобы ничего не терять.")
    desk.click("input[name=_save]")

    expect(desk.locator(".messagelist .success")).to_be_visible()
    article = Article.objects.get(slug="zhurnal-predzapisi")
    assert article.languages == ["ru"]
    assert "Чтобы ничего не терять." in article.body_html_ru
