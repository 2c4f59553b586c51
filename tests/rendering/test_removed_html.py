"""Whatever the sanitizer removes is told to the author: in the preview, when the article is
saved, and to the Hugo import through `render().warnings`."""

import pytest
from django.contrib.auth import get_user_model

from articles.models import Article
from articles.rendering import markdownify, render

pytestmark = pytest.mark.template_context  # reads response.context


@pytest.mark.parametrize("words", ["Intro", "Введение"])
def test_each_removal_is_reported_with_its_line(words):
    text = (
        f"{words}\n\n"
        '<iframe src="https://video.example/"></iframe>\n\n'
        f'{words} <span onclick="steal()">x</span> <font color=red>y</font>\n\n'
        "![pixel](http://tracker.example/p.gif)\n\n"
        "[click](javascript:alert(1))\n\n"
        "<script>alert(1)</script>\n"
    )
    warnings = [(warning.line, warning.message) for warning in render(text).warnings]
    assert warnings == [
        (3, "<iframe> is shown as text"),
        (5, "the attribute “onclick” of <span> is not kept"),
        (5, "the element <font> is not kept"),
        (7, "the image “http://tracker.example/p.gif” is not shown: images come from our media "
            "or over https"),
        (9, "the link to “javascript:alert(1)” is not kept"),
        (11, "the element <script> is not kept"),
    ]  # fmt: skip


def test_comments_and_kept_html_are_not_reported():
    assert (
        render("<!-- a note to self -->\n\n<details><summary>S</summary>x</details>").warnings == ()
    )


def test_the_preview_shows_a_visible_notice_in_the_authors_language(client, settings):
    from django.utils import translation

    with translation.override("ru"):
        preview = markdownify("Текст\n\n<marquee>бегущая строка</marquee>")
    assert preview.startswith('<div class="render-warnings" role="status">')
    assert "Строка 3" in preview
    assert "&lt;marquee&gt;" in preview


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw-12345!")
    client.force_login(user)
    return client


def test_saving_an_article_in_the_admin_warns_of_what_the_page_will_not_show(staff_client, author):
    response = staff_client.post(
        "/admin/articles/article/add/",
        {
            "title_en": "Embeds",
            "slug": "embeds",
            "body_en": "Text\n\n<video src=https://x.example/v.mp4></video>",
            "body_ru": 'Текст\n\n<span style="color:red">красный</span>',
            "author": author.pk,
            "status": "draft",
        },
        follow=True,
    )
    assert Article.objects.filter(slug="embeds").exists()
    shown = [str(message) for message in response.context["messages"]]
    assert "Body (English), not shown on the page: Line 3: the element <video> is not kept" in shown
    assert any("(Russian)" in message and "“style” of <span>" in message for message in shown)


IMAGES_NOT_SHOWN = [
    "![A latency chart](http://tracker.example/p.gif)",
    "![A latency chart](chart.png)",
    '![A latency chart](../static/chart.png "Caption")',
    "![A latency chart](javascript:alert(1))",
    "![A latency chart](data:image/png;base64,iVBORw0KGgo=)",
    '<img src="http://tracker.example/p.gif" alt="A latency chart">',
    '<img alt="A latency chart" src="chart.png" width="10">',
    '<p><img alt="A latency chart"></p>',
    "![A latency chart, src=inside](http://tracker.example/p.gif)",
    '<img alt="A latency chart > src=x" src="http://tracker.example/p.gif">',
]


@pytest.mark.parametrize("markup", IMAGES_NOT_SHOWN)
def test_an_image_whose_address_is_not_kept_shows_its_description_not_a_broken_image(markup):
    html = render(f"Before.\n\n{markup}\n\nAfter.").html
    assert "<img" not in html
    assert "A latency chart" in html
    if "src=" in markup or "](" in markup:
        assert render(f"Before.\n\n{markup}\n\nAfter.").warnings  # and the author is told


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="chart.png" alt="<script>alert(1)</script> &amp; more">',
        "![<b>bold</b> & more](chart.png)",
    ],
)
def test_the_description_of_an_image_not_shown_stays_text(markup):
    html = render(markup).html
    assert "<script" not in html
    assert "<b>" not in html
    assert "&amp;" in html


def test_a_kept_image_is_untouched():
    html = render("![A latency chart](https://img.example/chart.png)").html
    assert '<img src="https://img.example/chart.png" alt="A latency chart"' in html


def test_an_image_missing_from_our_media_is_reported_and_kept_as_written(settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    default_storage.save("uploads/here.png", ContentFile(b"x"))
    text = "Intro\n\n![Here](/media/uploads/here.png)\n\n![Gone](/media/uploads/gone.png)\n"
    rendered = render(text)
    assert [(warning.line, warning.message) for warning in rendered.warnings] == [
        (5, "the image “/media/uploads/gone.png” is not among the uploaded files: readers will "
         "see a broken image"),
    ]  # fmt: skip
    # Kept: a site restored before its media must not lose its images at the next render.
    assert '<img src="/media/uploads/gone.png" alt="Gone">' in rendered.html
