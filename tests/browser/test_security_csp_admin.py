"""The admin, the Markdown editor and the public pages work under the CSP, with no violation."""

import importlib
import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from PIL import Image
from playwright.sync_api import expect

groups_migration = importlib.import_module("articles.migrations.0003_editorial_groups")
PASSWORD = "pw-12345!"


@pytest.fixture
def editor(db, make_author, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    groups_migration.create_groups(apps, None)
    user = User.objects.create_user("erin", password=PASSWORD, is_staff=True, is_superuser=True)
    user.groups.add(Group.objects.get(name="Editors"))
    make_author(name="Erin Editor", user=user)
    return user


@pytest.fixture
def violations(page):
    """Every message Chromium logs when the policy blocks something."""
    found = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "orange").save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_markdown_editor_works_under_the_policy(page, site, editor, violations):
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "erin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("erin")

    page.goto(f"{site}/admin/articles/article/add/")
    # The language tabs (jQuery UI) and the slug prefill are scripts from our own files.
    page.locator("#id_title_en").press_sequentially("Under the policy")
    expect(page.locator("#id_slug")).to_have_value("under-the-policy")
    page.fill("#id_body_en", "## Heading\n\n| a | b |\n|:-:|--:|\n| 1 | 2 |\n")
    preview = page.frame_locator("#tab_id_body_en .desk-preview")
    expect(preview.locator(".prose h2#heading")).to_have_text("Heading")
    expect(preview.locator("td").first).to_have_css("text-align", "center")

    upload = page.locator("input.desk-file[data-for=id_body_en]")
    upload.set_input_files({"name": "chart.png", "mimeType": "image/png", "buffer": png()})
    dialog = page.locator("dialog.desk-image-dialog[data-for=id_body_en]")
    dialog.get_by_label("Description for readers").fill("An orange chart")
    dialog.get_by_label("Caption shown under the image").fill("<b>not bold</b>")
    dialog.get_by_role("button", name="Insert the image").click()
    figure = preview.locator(".prose figure")
    expect(figure.locator("img[alt='An orange chart']")).to_be_visible()
    expect(figure.locator("figcaption")).to_have_text("<b>not bold</b>")

    page.goto(f"{site}/admin/newsletter/issue/add/")
    page.fill("#id_subject_en", "Under the policy")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.click("input[name=_send_now]")
    assert dialogs == ["Send this issue to every confirmed subscriber now?"]
    assert "/add/" in page.url  # dismissed: nothing was sent

    assert violations == []


def test_the_theme_script_runs_under_the_policy(page, site, live_article, violations):
    page.goto(f"{site}/en/")
    page.evaluate("localStorage.setItem('theme', 'dark')")
    page.goto(f"{site}/en/posts/{live_article.slug}/")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert violations == []


def test_an_inline_script_that_is_not_ours_is_blocked(page, site, db, violations):
    page.goto(f"{site}/en/")
    # Waits for the browser's report that it refused the handler (once the image has failed),
    # rather than for a fixed time.
    refused = lambda message: "inline event handler" in message.text  # noqa: E731
    with page.expect_console_message(refused):
        page.evaluate(
            "document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.ran=1\">')"
        )
    assert page.evaluate("window.ran") is None
    assert violations  # the browser reports the blocked handler
