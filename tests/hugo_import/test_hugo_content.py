"""Translations, shortcodes, links and images carried over from Hugo."""

import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from articles.models import Article
from hugo_import import convert as hugo_convert
from hugo_import.convert import BodyConverter
from hugo_import.site import Page

pytestmark = pytest.mark.django_db


def article(slug):
    return Article.objects.get(slug=slug)


# Translations.


def test_a_filename_suffix_translation_fills_the_russian_fields(report):
    part = article("monolith-part-0")
    assert part.title_ru == "Часть 0: почему мы собрали сервисы обратно в один"
    assert part.summary_ru.startswith("Команда из шести человек")
    assert "Что мы измерили" in part.body_html_ru


def test_a_translation_key_in_a_per_language_folder_fills_the_russian_fields(report):
    slm = article("hybrid-slm")
    assert slm.title_ru == "Гибридная архитектура SLM: дешёвая модель рядом"
    assert slm.summary_ru.startswith("Небольшие языковые модели")
    assert not Article.objects.filter(slug="gibridnaya-arhitektura").exists()


def test_drift_tracking_starts_from_the_imported_pair(report):
    slm = article("hybrid-slm")
    assert slm.translation_source == slm.english_text()
    assert slm.translation_behind_since is None


def test_a_language_the_blog_does_not_have_is_reported_and_skipped(report):
    (warning,) = report.warnings_of("unsupported language")
    assert warning.file == "content/posts/monolith-part-1.fr.md"
    assert "Partie" not in article("monolith-part-1").title_ru


# Shortcodes: converted to Markdown our renderer keeps; embeds become links.


def test_embeds_become_links_never_iframes(report):
    radar = article("tech-radar-2026-04-17").body_html_en
    assert 'href="https://x.com/buildnotes/status/1780000000000000001"' in radar
    assert 'href="https://gist.github.com/lenatran/5f2a9c#file-budget-yaml"' in radar
    part = article("monolith-part-1").body_html_en
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in part
    assert "iframe" not in radar + part


def test_highlight_becomes_a_highlighted_code_block(report):
    body = article("monolith-part-1")
    assert '```go hl_lines="2"' in body.body_en
    assert '<div class="highlight"><pre' in body.body_html_en
    assert '<span class="hll">' in body.body_html_en


def test_collapse_and_details_become_a_titled_passage(report):
    checklist = article("monolith-part-2").body_html_en
    assert "<strong>The checklist we used</strong>" in checklist
    assert "<li>Feature flags around every moved endpoint</li>" in checklist
    assert "<strong>How we pick items</strong>" in article("tech-radar-2026-04-17").body_html_en


def test_an_unknown_shortcode_is_reported_with_its_line_and_kept_visible(report):
    (warning,) = report.warnings_of("unknown shortcode")
    assert (warning.file, warning.line) == ("content/radar/tech-radar-2026-04-17.md", 28)
    assert "callout" in warning.message
    html = article("tech-radar-2026-04-17").body_html_en
    assert '<code>{{&lt; callout type="tip" &gt;}}</code>' in html
    assert "Cap the runner minutes first" in html


def test_an_escaped_shortcode_is_shown_as_written(report):
    html = article("tech-radar-2026-04-17").body_html_en
    assert '<code>{{&lt; figure src="x.png" &gt;}}</code>' in html


# Links and images.


def test_relref_and_relative_links_point_to_the_new_addresses(report):
    assert 'href="/en/posts/monolith-part-0/"' in article("monolith-part-1").body_html_en
    part = article("monolith-part-2").body_html_en
    assert 'href="/en/posts/monolith-part-1/"' in part  # ../monolith-part-1/
    assert 'href="/en/posts/monolith-part-0/"' in part  # monolith-part-0.md


def test_bundle_and_static_images_are_stored_as_uploads_and_captioned(report):
    part = article("monolith-part-2")
    assert f"]({settings.MEDIA_URL}uploads/" in part.body_en
    # Readers get the WebP renditions made for every stored body image, not the original.
    assert f'srcset="{settings.MEDIA_URL}renditions/' in part.body_html_en
    part = part.body_html_en
    assert "<figcaption>The deployment graph, before and after</figcaption>" in part
    radar = article("tech-radar-2026-04-17").body_en
    (name,) = [word for word in radar.split("(") if word.startswith("/media/uploads/")]
    assert default_storage.exists(name.split(")")[0].removeprefix(settings.MEDIA_URL))


def test_a_missing_image_is_reported_with_its_line(report):
    (warning,) = report.warnings_of("missing image")
    assert (warning.file, warning.line) == ("content/posts/monolith-part-2/index.md", 18)
    assert "missing.png" in warning.message


class Links:
    """Answers refs and links as the importer would, for converter tests."""

    def ref_url(self, page, target, language=None):
        return "/en/posts/known/" if target.startswith("known") else None

    def link_url(self, page, href, line):
        return href

    def image_url(self, page, src, line):
        return src


def convert(text):
    warnings = []
    page = Page(
        file=None,
        rel="posts/a.md",
        language="en",
        dirs=["posts"],
        basename="a",
        bundle=None,
        body_line=5,
    )
    converter = BodyConverter(
        page, Links(), lambda kind, message, **kw: warnings.append((kind, kw.get("line")))
    )
    return converter.convert(text), warnings


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{{< youtube id="abc" title="Talk" >}}', "[Talk](https://www.youtube.com/watch?v=abc)"),
        ('{{< tweet user="a" id="1" >}}', "[Post by @a on X](https://x.com/a/status/1)"),
        ('{{< x id="9" >}}', "[Post on X](https://x.com/i/status/9)"),
        ("{{< gist u 1 >}}", "[Gist u/1](https://gist.github.com/u/1)"),
        ('[a]({{< ref "known.md#part" >}})', "[a](/en/posts/known/)"),
        ('{{% details summary="More" %}}\ntext\n{{% /details %}}', "**More**\n\ntext"),
        ('{{< figure src="a.png" alt="An A" >}}', "![An A](a.png)"),
        (
            '{{< figure src="a.png" alt="An A" caption="Say \\"hi\\"" />}}',
            '![An A](a.png "Say \\"hi\\"")',
        ),
    ],
)
def test_known_shortcodes_in_their_spellings(source, expected):
    converted, warnings = convert(source)
    assert expected in converted
    assert not [w for w in warnings if w[0] == "unknown shortcode"]


def test_nested_shortcodes_are_converted_inside_out():
    converted, _warnings = convert(
        '{{< collapse summary="Outer" >}}\n{{< youtube abc >}}\n{{< /collapse >}}'
    )
    assert converted == "**Outer**\n\n[Video on YouTube](https://www.youtube.com/watch?v=abc)\n"


def test_unknown_shortcodes_in_code_are_kept_as_written_and_still_reported():
    converted, warnings = convert("```\n{{< mine >}}\n```")
    assert converted == "```\n{{< mine >}}\n```\n"
    assert warnings == [("unknown shortcode", 6)]


def test_a_broken_ref_is_reported_and_its_target_kept():
    converted, warnings = convert('[a]({{< relref "gone" >}})')
    assert converted == "[a](gone)\n"
    assert warnings == [("broken link", 5)]


def test_the_text_above_more_is_the_summary_with_its_shortcodes_converted():
    page = Page(
        file=None, rel="posts/a.md", language="en", dirs=["posts"], basename="a", bundle=None
    )
    converter = BodyConverter(page, Links(), lambda *args, **kwargs: None)
    body = converter.convert(
        'First, see {{< youtube id=abc title="the talk" >}}.\n\nSecond.\n<!--more-->\n\nRest.\n'
    )
    assert converter.summary == "First, see the talk. Second."
    assert body == (
        "First, see [the talk](https://www.youtube.com/watch?v=abc).\n\nSecond.\n\nRest.\n"
    )


def test_a_shortcode_name_is_not_mistaken_for_a_longer_one():
    converted, warnings = convert('{{< x id="1" >}} and {{< x-ray >}}')
    assert converted.startswith("[Post on X](https://x.com/i/status/1) and `{{< x-ray >}}`")
    assert warnings == [("unknown shortcode", 5)]


@pytest.mark.parametrize(
    "source",
    [
        "Plain text with *emphasis*, `code` and a [bracket] or two.",
        "An autolink <https://example.org/x> and www.example.org stay as written.",
        "A reference [used][ref] with no definition, and ![alt][img] the same.",
        "```\n[not](a-link.md)\n```\n\n{{< note >}}inside{{< /note >}}",
        "See [c][].\n\n[c]: other.md",
        '<p>An image in HTML</p>\n\n<IMG SRC="pic.png">',
        "[a](b.md) and ![an image](pic.png)",
    ],
)
def test_a_body_is_converted_the_same_whether_or_not_its_parse_is_skipped(source, monkeypatch):
    # The parse for links and images is skipped when the body holds none (hugo_import/convert.py):
    # every destination is moved here, so a body the skip got wrong comes out different.
    monkeypatch.setattr(Links, "link_url", lambda self, page, href, line: f"/moved/{href}")
    monkeypatch.setattr(Links, "image_url", lambda self, page, src, line: f"/moved/{src}")
    as_imported = convert(source)
    monkeypatch.setattr(hugo_convert, "links_or_images_in", lambda body: True)
    assert convert(source) == as_imported
