"""An author at the writing desk: preview beside the text, an image with its description and
caption, responsive renditions on the page, and text kept when the tab is closed."""

import base64
import io
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, User
from group_setup import create_editorial_groups
from PIL import Image
from playwright.sync_api import expect

from articles.models import Article

PASSWORD = "pw-12345!"
DESK = "#tab_id_body_en .writing-desk"
DIALOG = "dialog.desk-image-dialog[data-for=id_body_en]"


@pytest.fixture
def ada(db, author):
    create_editorial_groups()  # a flush by an earlier live_server test drops them
    user = User.objects.create_user("ada", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Authors"))
    author.user = user
    author.save()
    return user


@pytest.fixture
def writing(page, site, ada):
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("ada")
    return page


def chart_png():
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 600), "orange").save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def drop_image(page, selector, name="chart.png"):
    transfer = page.evaluate_handle(
        """([data, name]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: "image/png" }));
            return transfer;
        }""",
        [chart_png(), name],
    )
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_author_writes_beside_the_preview_and_adds_a_described_image(writing, site):
    page = writing
    # The preview follows the text a short delay after the last change; the test moves the
    # page's clock past that delay after each change instead of waiting for it.
    page.clock.install()
    page.goto(f"{site}/admin/articles/article/add/")
    page.locator("#id_title_en").press_sequentially("Pool sizing by numbers")
    body = page.locator("#id_body_en")
    body.fill("## Measure first\n\nPools are sized by the database.\n\n")
    page.clock.fast_forward(1000)
    preview = page.frame_locator(f"{DESK} .desk-preview")
    expect(preview.locator(".prose h2#measure-first")).to_have_text("Measure first")
    # Side by side on a wide screen: the preview starts level with the text, to its right.
    text_box = body.bounding_box()
    frame_box = page.locator(f"{DESK} .desk-preview").bounding_box()
    assert frame_box["x"] > text_box["x"] + text_box["width"] - 1
    assert abs(frame_box["y"] - text_box["y"]) < 2
    expect(page.locator(f"{DESK} .desk-count")).to_have_text("8 words · 1 min read")

    # A shortcut formats the selection, and the preview shows it as the page will.
    body.evaluate(
        "area => area.setSelectionRange(area.value.indexOf('database'), "
        "area.value.indexOf('database') + 8)"
    )
    body.press("Control+b")
    page.clock.fast_forward(1000)
    expect(body).to_have_value(re.compile(r"by the \*\*database\*\*\."))
    expect(preview.locator(".prose strong")).to_have_text("database")

    body.evaluate("area => area.setSelectionRange(area.value.length, area.value.length)")
    drop_image(page, "#id_body_en")
    dialog = page.locator(DIALOG)
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Insert the image").click()
    expect(dialog).to_be_visible()  # the description is required
    dialog.get_by_label("Description for readers").fill("Latency against pool size")
    dialog.get_by_label("Caption shown under the image").fill("p99 is flat up to 20")
    dialog.get_by_role("button", name="Insert the image").click()
    expect(dialog).to_be_hidden()
    image_code = r'!\[Latency against pool size\]\(/media/uploads/\w+\.png "p99 is flat up to 20"\)'
    expect(body).to_have_value(re.compile(rf"\.\n\n{image_code}\n"))
    page.clock.fast_forward(1000)
    figure = preview.locator(".prose figure")
    expect(figure.locator("img[alt='Latency against pool size']")).to_be_visible()
    expect(figure.locator("figcaption")).to_have_text("p99 is flat up to 20")

    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    article = Article.objects.get(slug="pool-sizing-by-numbers")
    assert article.author.user.username == "ada"

    # The preview link shows the page as readers will get it: WebP renditions, never the original.
    preview_url = page.locator(".preview-link input").first.input_value()
    page.goto(site + urlsplit(preview_url).path)  # the link is made with SITE_URL
    image = page.locator(".prose figure img")
    srcset = image.get_attribute("srcset")
    assert re.fullmatch(
        r"/media/renditions/\w+-480w\.webp 480w, /media/renditions/\w+-960w\.webp 960w, "
        r"/media/renditions/\w+-1000w\.webp 1000w",
        srcset,
    )
    assert image.get_attribute("src").endswith("-1000w.webp")
    assert (image.get_attribute("width"), image.get_attribute("height")) == ("1000", "600")
    assert image.get_attribute("loading") == "lazy"
    expect(image).to_have_js_property("complete", True)
    assert page.evaluate("() => document.querySelector('.prose figure img').currentSrc").endswith(
        ".webp"
    )


def log_in(page):
    page.fill("#id_username", "ada")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def restore(page):
    banner = page.locator(f"{DESK} .desk-restore")
    expect(banner).to_contain_text("a version you had not saved")
    banner.get_by_role("button", name="Restore it").click()
    expect(banner).to_be_hidden()


def test_closed_tab_or_expired_session_gives_the_text_back(writing, site, context):
    page = writing
    # The page's timers run on a clock the test moves: the copy kept in the browser is written
    # the autosave delay after the last key, and the test moves the clock past it at once.
    page.clock.install()
    page.goto(f"{site}/admin/articles/article/add/")
    page.locator("#id_title_en").press_sequentially("Half written")
    page.locator("#id_body_en").press_sequentially("A paragraph I must not lose.")
    page.clock.fast_forward(1000)
    expect(page.locator(f"{DESK} .desk-saved")).to_contain_text("Saved in this browser")
    page.close()

    page = context.new_page()
    page.goto(f"{site}/admin/articles/article/add/")
    restore(page)
    expect(page.locator("#id_body_en")).to_have_value("A paragraph I must not lose.")

    # The session expires before the save: the admin asks to log in and the form comes back empty.
    page.locator("#id_title_en").press_sequentially("Half written")
    context.clear_cookies(name="sessionid")
    page.click("input[name=_save]")
    log_in(page)
    expect(page).to_have_url(re.compile(r"/admin/articles/article/add/$"))
    restore(page)
    page.locator("#id_title_en").press_sequentially("Half written")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Article.objects.get(slug="half-written").body_en == "A paragraph I must not lose."

    # Saved: the next article starts blank, with nothing to restore.
    page.goto(f"{site}/admin/articles/article/add/")
    expect(page.locator("#id_body_en")).to_have_value("")
    expect(page.locator(f"{DESK} .desk-restore")).to_be_hidden()
