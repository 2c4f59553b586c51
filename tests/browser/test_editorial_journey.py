from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from group_setup import create_editorial_groups
from playwright.sync_api import expect

from articles.models import Article

PASSWORD = "pw-12345!"


@pytest.fixture
def staff(db, author, make_author):
    """Ada writes (group «Authors»), Erin edits (group «Editors»)."""
    create_editorial_groups()  # a flush by an earlier live_server test drops them
    users = {}
    for username, group, writer in [("ada", "Authors", author), ("erin", "Editors", None)]:
        user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        writer = writer or make_author(name="Erin Editor")
        writer.user = user
        writer.save()
        users[username] = user
    return users


def log_in(page, site, username):
    page.context.clear_cookies()
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)


def test_author_writes_and_submits_then_editor_schedules(page, site, staff):
    log_in(page, site, "ada")
    page.goto(f"{site}/admin/articles/article/add/")
    page.locator("#id_title_en").press_sequentially("Written in the browser")
    expect(page.locator("#id_slug")).to_have_value("written-in-the-browser")
    page.fill("#id_body_en", "## Hello\n\nFirst words.\n\n")
    preview = page.frame_locator("#tab_id_body_en .desk-preview")
    expect(preview.locator(".prose h2#hello")).to_have_text("Hello")

    upload = page.locator("input.desk-file[data-for=id_body_en]")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    upload.set_input_files({"name": "logo.png", "mimeType": "image/png", "buffer": svg})
    errors = page.locator("#tab_id_body_en .desk-upload-errors")
    expect(errors).to_contain_text("Only JPEG, PNG, WebP and GIF images can be uploaded.")
    expect(page.locator("dialog.desk-image-dialog[data-for=id_body_en]")).to_be_hidden()
    assert "![" not in page.locator("#id_body_en").input_value()

    page.click("input[name=_submit_for_review]")
    expect(page.locator(".messagelist")).to_contain_text("Submitted for review")
    article = Article.objects.get(slug="written-in-the-browser")
    assert article.status == Article.Status.REVIEW
    assert article.author.user == staff["ada"]
    assert "First words." in article.body_html_en

    log_in(page, site, "erin")
    page.goto(f"{site}/admin/articles/article/?state=review")
    row = page.locator("#result_list tr", has_text="Written in the browser")
    expect(row.locator(".state-badge")).to_have_text("In review")
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "schedule")
    page.click("button[name=index]")

    when = timezone.localtime() + timedelta(days=2)
    when = when.replace(hour=10, minute=30, second=0, microsecond=0)
    page.fill("input[name=publish_at]", when.strftime("%Y-%m-%dT%H:%M"))
    page.click("input[type=submit][value=Schedule]")
    expect(page.locator(".messagelist")).to_contain_text("Scheduled 1 article")
    page.goto(f"{site}/admin/articles/article/?state=scheduled")
    row = page.locator("#result_list tr", has_text="Written in the browser")
    expect(row.locator(".state-badge")).to_have_text("Scheduled")
    article.refresh_from_db()
    assert article.published_at == when
    assert not article.is_live
