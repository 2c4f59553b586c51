"""Hugo's figure shortcode: a reader never gets an image without its file, and a caption's
Markdown is rendered as Hugo's markdownify did, its raw HTML shown as text."""

import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from articles.models import Article

pytestmark = pytest.mark.django_db

PICTURE = (
    Path(__file__).resolve().parents[1] / "fixtures/hugo_site/content/posts/monolith-part-2"
) / "diagram.png"
FIGURE_LINE = 9  # of index.md, as written below
IMAGE_WITHOUT_SOURCE = re.compile(r"<img\b(?![^>]*\bsrc=)[^>]*>")


@pytest.fixture
def import_figure(tmp_path, run_import):
    """Imports a post whose body is a paragraph and `figure`, from a bundle holding
    picture.png and broken.png (not an image); returns the article and the report."""

    def run(figure):
        site = tmp_path / "site"
        bundle = site / "content/posts/figures"
        bundle.mkdir(parents=True)
        (site / "hugo.toml").write_text('[params]\nauthor = "Ann"\n')
        shutil.copy(PICTURE, bundle / "picture.png")
        (bundle / "broken.png").write_text("not a picture")
        (bundle / "index.md").write_text(
            f"---\ntitle: Figures\ndate: 2024-01-01\nsummary: S\n---\n\nOpening.\n\n{figure}\n"
        )
        report = run_import(site)
        return Article.objects.get(slug="figures"), report

    return run


def figcaption(html):
    (caption,) = re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S)
    return caption


# A local image that is not in the site.


@pytest.mark.parametrize(
    "figure",
    [
        '{{< figure src="gone.png" alt="Latency fell by half" caption="p99, before and after" >}}',
        '{{% figure src="/images/gone.png" alt="Latency fell by half" '
        'caption="p99, before and after" %}}',
        '{{< figure src="gone.png" alt="Latency fell by half" title="p99, before and after" '
        'link="https://example.org/full" width="300" />}}',
    ],
)
def test_a_missing_image_leaves_its_description_and_caption_and_no_image(import_figure, figure):
    article, _report = import_figure(figure)
    html = article.body_html_en
    assert "<img" not in html
    assert "Latency fell by half" in html
    assert figcaption(html) == "p99, before and after"


def test_a_missing_image_with_only_a_description_leaves_the_description(import_figure):
    article, _report = import_figure('{{< figure src="gone.png" alt="Latency fell by half" >}}')
    assert "<img" not in article.body_html_en
    assert "Latency fell by half" in article.body_html_en


def test_a_missing_image_with_only_a_caption_leaves_the_caption(import_figure):
    article, _report = import_figure('{{< figure "gone.png" caption="The *hot* path" >}}')
    assert "<img" not in article.body_html_en
    assert figcaption(article.body_html_en) == "The <em>hot</em> path"


def test_a_missing_image_that_said_nothing_leaves_nothing(import_figure):
    article, report = import_figure('{{< figure src="gone.png" >}}')
    assert "<img" not in article.body_html_en
    assert "gone.png" not in article.body_html_en
    assert report.warnings_of("image without description")


def test_a_missing_image_description_over_lines_stays_one_passage(import_figure):
    article, _report = import_figure(
        '{{< figure src="gone.png" alt="Latency fell\n\nby *half*" caption="p99" >}}'
    )
    html = article.body_html_en
    assert "<p>Latency fell by *half*</p><figcaption>p99</figcaption>" in html


def test_a_missing_image_description_keeps_the_figures_link(import_figure):
    article, _report = import_figure(
        '{{< figure src="gone.png" alt="The full chart" link="https://example.org/full" >}}'
    )
    assert 'href="https://example.org/full"' in article.body_html_en
    assert ">The full chart</a>" in article.body_html_en


def test_the_same_description_and_caption_are_shown_once(import_figure):
    article, _report = import_figure(
        '{{< figure src="gone.png" alt="The hot path" caption="The *hot* path" >}}'
    )
    assert article.body_html_en.count("hot") == 1


@pytest.mark.parametrize(
    "figure",
    [
        '{{< figure src="gone.png" alt="A chart" caption="A caption" >}}',
        '{{< figure src="gone.png" >}}',
        '{{< figure src="static/gone.png" alt="A chart" link="big.png" >}}',
    ],
)
def test_the_report_still_names_the_missing_image_and_its_line(import_figure, figure):
    _article, report = import_figure(figure)
    (warning,) = report.warnings_of("missing image")
    assert warning.file == "content/posts/figures/index.md"
    assert warning.line == FIGURE_LINE
    assert "gone.png" in warning.message


def test_an_image_the_upload_checks_refuse_is_not_shown_broken(import_figure):
    article, report = import_figure(
        '{{< figure src="broken.png" alt="A chart" caption="What it measured" >}}'
    )
    assert report.warnings_of("image refused")
    assert "<img" not in article.body_html_en
    assert "A chart" in article.body_html_en
    assert figcaption(article.body_html_en) == "What it measured"


def test_a_figure_without_a_source_leaves_its_text(import_figure):
    article, report = import_figure('{{< figure alt="A chart" caption="The *hot* path" >}}')
    assert report.warnings_of("figure without image")
    assert "<img" not in article.body_html_en
    assert figcaption(article.body_html_en) == "The <em>hot</em> path"


# Images that are there, or elsewhere on the web.


def test_a_present_image_is_stored_and_shown_with_its_caption(import_figure):
    article, report = import_figure(
        '{{< figure src="picture.png" alt="A chart" caption="The *hot* path" >}}'
    )
    html = article.body_html_en
    assert f'src="{settings.MEDIA_URL}uploads/' in html
    assert 'alt="A chart"' in html
    assert figcaption(html) == "The <em>hot</em> path"
    assert not IMAGE_WITHOUT_SOURCE.search(html)
    assert not report.warnings_of("missing image")


def test_a_present_image_with_a_plain_caption_stays_an_image_with_a_title(import_figure):
    article, _report = import_figure(
        '{{< figure src="picture.png" alt="A chart" caption="Say \\"hi\\" & wave" >}}'
    )
    assert '"Say \\"hi\\" & wave")' in article.body_en
    assert figcaption(article.body_html_en) == "Say &quot;hi&quot; &amp; wave"


def test_a_present_image_with_a_markdown_caption_keeps_its_link(import_figure):
    article, _report = import_figure(
        '{{< figure src="picture.png" alt="A chart" caption="The *hot* path" '
        'link="https://example.org/full" >}}'
    )
    html = article.body_html_en
    assert re.search(r'<a href="https://example.org/full"[^>]*><img [^>]*src="/', html)
    assert figcaption(html) == "The <em>hot</em> path"


def test_an_image_over_https_is_kept_as_written(import_figure):
    article, report = import_figure(
        '{{< figure src="https://cdn.example.org/chart.png" alt="A chart" '
        'caption="The *hot* path" >}}'
    )
    html = article.body_html_en
    assert 'src="https://cdn.example.org/chart.png"' in html
    assert figcaption(html) == "The <em>hot</em> path"
    assert not report.warnings_of("missing image")


def test_an_image_over_http_is_kept_as_written_in_the_body(import_figure):
    # The renderer shows no image over plain http (README: no tracking pixels); the body keeps
    # the address for the author to change, and the report says it is not shown.
    article, report = import_figure(
        '{{< figure src="http://cdn.example.org/chart.png" alt="A chart" >}}'
    )
    assert "(http://cdn.example.org/chart.png)" in article.body_en
    assert not report.warnings_of("missing image")
    assert report.warnings_of("not shown")


# Captions: inline Markdown as Hugo's markdownify renders it, never raw HTML.


@pytest.mark.parametrize(
    ("caption", "shown"),
    [
        ("The *hot* path", "The <em>hot</em> path"),
        ("**Bold** and ~~old~~", "<strong>Bold</strong> and <del>old</del>"),
        ("_Light_ or \\*not\\*", "<em>Light</em> or *not*"),
        ("Run `make <target>`", "Run <code>make &lt;target&gt;</code>"),
        (
            "See [the docs](https://example.org/docs)",
            'See <a href="https://example.org/docs" rel="noopener noreferrer">the docs</a>',
        ),
        ("Cost $5 and $10", "Cost $5 and $10"),
        ("The $x^2$ term", "The $x^2$ term"),
        ("Two\nlines", "Two lines"),
    ],
)
@pytest.mark.parametrize("src", ["picture.png", "gone.png"])
def test_a_caption_shows_its_inline_markdown(import_figure, src, caption, shown):
    article, _report = import_figure(f'{{{{< figure src="{src}" caption="{caption}" >}}}}')
    assert figcaption(article.body_html_en) == shown
    assert not IMAGE_WITHOUT_SOURCE.search(article.body_html_en)


@pytest.mark.parametrize(
    ("caption", "shown"),
    [
        ("<script>alert(1)</script> *hot*", "&lt;script&gt;alert(1)&lt;/script&gt; <em>hot</em>"),
        ("<b>bold</b> *hot*", "&lt;b&gt;bold&lt;/b&gt; <em>hot</em>"),
        ("<img src=x onerror=alert(1)> *hot*", "&lt;img src=x onerror=alert(1)&gt; <em>hot</em>"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ],
)
@pytest.mark.parametrize("src", ["picture.png", "gone.png"])
def test_html_in_a_caption_is_shown_as_text(import_figure, src, caption, shown):
    article, _report = import_figure(f'{{{{< figure src="{src}" caption="{caption}" >}}}}')
    html = article.body_html_en
    assert figcaption(html) == shown
    assert "<script" not in html
    assert not re.search(r"<(b|img)\b", figcaption(html))


def test_a_caption_link_to_a_script_is_not_kept(import_figure):
    article, report = import_figure(
        '{{< figure src="picture.png" caption="[click](javascript:alert(1)) *now*" >}}'
    )
    assert "javascript:" not in article.body_html_en
    assert "<em>now</em>" in figcaption(article.body_html_en)
    assert report.warnings_of("not shown")
