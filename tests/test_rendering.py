import io

import pytest

from articles.rendering import markdownify, reading_minutes, render_article_body

XSS_VECTORS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">click</a>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example/"></iframe>',
    '<div onclick="alert(1)">text</div>',
    "![x](javascript:alert(1))",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<form action="javascript:alert(1)"><input type="submit"></form>',
]
FORBIDDEN = ["<script", "onerror", "onload", "onclick", "javascript:", "<iframe", "<svg",
             "<object", "data:text", "<form", "<math", "xlink"]  # fmt: skip


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_dangerous_markup_never_reaches_the_page(vector):
    html = render_article_body(f"Before\n\n{vector}\n\nAfter").html.lower()
    for needle in FORBIDDEN:
        assert needle not in html
    assert "after" in html


def test_images_from_plain_http_lose_their_source():
    html = render_article_body("![pixel](http://tracker.example/p.gif)").html
    assert "tracker.example" not in html


def test_images_from_media_and_https_are_kept():
    html = render_article_body("![a](/media/uploads/a.png) ![b](https://cdn.example/b.png)").html
    assert 'src="/media/uploads/a.png"' in html
    assert 'src="https://cdn.example/b.png"' in html


def test_code_is_highlighted_on_the_server():
    html = render_article_body("```python\ndef answer():\n    return 42\n```").html
    assert '<div class="highlight">' in html
    assert '<span class="k">def</span>' in html


def test_tables_render():
    html = render_article_body("| a | b |\n|---|--:|\n| 1 | 2 |").html
    assert '<table tabindex="0">' in html
    assert '<td style="text-align:right">2</td>' in html


def test_headings_get_ids_and_a_table_of_contents():
    rendered = render_article_body("## Why pools\n\ntext\n\n### Sizing\n\ntext\n\n## Пулы\n")
    assert '<h2 id="why-pools">Why pools</h2>' in rendered.html
    assert '<h3 id="sizing">' in rendered.html
    assert 'href="#why-pools"' in rendered.toc_html
    assert 'href="#sizing"' in rendered.toc_html
    assert 'href="#пулы"' in rendered.toc_html


def test_a_single_heading_needs_no_table_of_contents():
    assert render_article_body("## Only one\n\ntext").toc_html == ""


def test_h1_in_the_body_becomes_h2_because_the_title_is_the_h1():
    html = render_article_body("# Heading").html
    assert "<h1" not in html
    assert '<h2 id="heading">' in html


def test_reading_time_comes_from_rendered_text():
    assert reading_minutes("<p>" + "word " * 220 + "</p>") == 1
    assert reading_minutes("<p>" + "word " * 221 + "</p>") == 2
    assert reading_minutes("") == 0


def test_preview_equals_the_page():
    text = "## Title\n\n```sql\nSELECT 1;\n```\n\n$x^2$ and ~~old~~"
    assert markdownify(text) == render_article_body(text).html


def test_preview_is_the_page_under_a_notice_of_what_the_page_will_not_show():
    text = "## Заголовок\n\nТекст\n\n<script>x</script>"
    preview = markdownify(text)
    notice, _sep, body = preview.partition("</div>")
    assert body == render_article_body(text).html
    assert 'class="render-warnings"' in notice
    assert "Line 5" in notice
    assert "&lt;script&gt;" in notice


def test_article_renders_each_language_on_save(make_article):
    article = make_article(body_en="## One\n\nEnglish " * 5, body_ru="## Один\n\nРусский " * 5)
    assert "English" in article.body_html_en
    assert "Русский" in article.body_html_ru
    assert article.reading_minutes_en == 1
    assert article.reading_minutes_ru == 1


def test_an_image_with_a_title_becomes_a_captioned_figure():
    html = render_article_body('![Chart of p99](/media/c.png "Latency by pool size")').html
    assert "<figure><img" in html
    assert "<figcaption>Latency by pool size</figcaption></figure>" in html


def test_an_image_inside_a_sentence_stays_inline():
    html = render_article_body('See ![x](/media/c.png "t") here').html
    assert "<figure>" not in html


def test_images_from_our_media_get_their_size_so_the_page_does_not_jump(settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image as PillowImage

    buffer = io.BytesIO()
    PillowImage.new("RGB", (640, 360), "teal").save(buffer, format="PNG")
    default_storage.save("uploads/chart.png", ContentFile(buffer.getvalue()))
    html = render_article_body("![A chart](/media/uploads/chart.png)").html
    assert 'width="640" height="360" loading="lazy"' in html


def test_missing_media_images_are_left_as_written():
    html = render_article_body("![Gone](/media/uploads/missing.png) ![../](/media/../x.png)").html
    assert 'src="/media/uploads/missing.png"' in html
    assert "width=" not in html
