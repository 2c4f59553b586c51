"""Front matter and content map onto articles, authors, tags, series and covers."""

from datetime import UTC, datetime

import pytest
from django.core.files.storage import default_storage

from articles.models import Article, Author, Tag
from series.models import Series

pytestmark = pytest.mark.django_db


def article(slug):
    return Article.objects.get(slug=slug)


def test_every_post_in_every_section_is_imported_once(report):
    assert sorted(report.created) == [
        "content/posts/future-post.md",
        "content/posts/hybrid-slm.md",
        "content/posts/json-notes.md",
        "content/posts/monolith-part-0.md",
        "content/posts/monolith-part-1.md",
        "content/posts/monolith-part-2/index.md",
        "content/posts/unfinished-draft.md",
        "content/radar/tech-radar-2026-04-17.md",
    ]
    # _index.md is a section page, not a post.
    assert Article.objects.count() == 8


def test_toml_yaml_and_json_front_matter_are_all_read(report):
    assert article("monolith-part-0").title_en == "Part 0: Why We Folded Our Services Back Into One"
    assert article("monolith-part-1").title_en == "Part 1: The Hidden Cost of Every Network Hop"
    assert article("json-notes").summary_en == (
        "Some generators write JSON front matter; Hugo reads it like the others."
    )


def test_slug_comes_from_front_matter_else_the_file_or_bundle_name(report):
    assert Article.objects.filter(slug="tech-radar-2026-04-17").exists()
    assert Article.objects.filter(slug="monolith-part-1").exists()  # file name
    assert Article.objects.filter(slug="monolith-part-2").exists()  # bundle folder


def test_dates_without_a_zone_are_read_in_the_sites_time_zone(report):
    # timeZone = "Asia/Ho_Chi_Minh" (UTC+7): 09:00 there is 02:00 UTC.
    assert article("monolith-part-0").published_at == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    assert article("monolith-part-2").published_at == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


def test_lastmod_is_kept_with_the_import_record(report):
    record = article("monolith-part-0").hugo_source
    assert record.lastmod == datetime(2026, 3, 5, 3, 30, tzinfo=UTC)


def test_a_draft_stays_a_draft_and_a_future_date_schedules(report):
    assert article("unfinished-draft").state == Article.State.DRAFT
    future = article("future-post")
    assert future.state == Article.State.SCHEDULED
    assert future.published_at == datetime(2099, 1, 1, tzinfo=UTC)
    assert article("json-notes").state == Article.State.LIVE


def test_summary_comes_from_description_else_the_text_before_more_else_the_first_paragraph(
    report,
):
    assert article("monolith-part-0").summary_en.startswith("A team of six ran forty services")
    radar = article("tech-radar-2026-04-17")
    assert radar.summary_en == (
        "This week's picks share one theme: build systems now report what each pipeline "
        "costs, and teams are starting to cap it."
    )
    assert "more" not in radar.body_en.split("\n")[2]
    assert article("hybrid-slm").summary_en.startswith("Small language models fine-tuned")


def test_tags_and_categories_become_tags(report):
    tags = set(article("monolith-part-0").tags.values_list("name_en", flat=True))
    assert tags == {"Architecture", "FinOps", "Case study"}
    assert Tag.objects.filter(slug="tech-radar").exists()
    assert Tag.objects.filter(name_en="Architecture").count() == 1


def test_series_parts_are_ordered_by_weight_then_date(report):
    series = Series.objects.get(slug="from-microservices-back-to-a-monolith")
    assert series.title_ru == "От микросервисов обратно к монолиту"
    # Part 2 is the oldest post, Part 1 older than Part 0: weight wins over date.
    assert [part.article.slug for part in series.parts.order_by("position")] == [
        "monolith-part-0",
        "monolith-part-1",
        "monolith-part-2",
    ]


def test_authors_are_found_or_created_and_a_second_author_is_reported(report):
    assert article("tech-radar-2026-04-17").author.name == "Sam Rivera"
    # No author in the front matter: params.author.
    assert article("json-notes").author.name == "Lena Tran"
    assert article("monolith-part-1").author.name == "Lena Tran"
    assert Author.objects.count() == 2
    assert sorted(report.authors_created) == ["Lena Tran", "Sam Rivera"]
    (warning,) = report.warnings_of("more than one author")
    assert "Mark Ode" in warning.message


def test_papermod_cover_becomes_the_cover_with_its_description_and_renditions(report):
    part = article("monolith-part-2")
    assert part.cover_image.name.startswith("covers/")
    assert default_storage.exists(part.cover_image.name)
    assert part.cover_alt_en == "Two boxes joined into one"
    assert part.cover_width == 240
    assert part.cover_srcset


def test_unknown_front_matter_keys_are_listed(report):
    (warning,) = report.warnings_of("unknown front-matter key")
    assert warning.file == "content/posts/monolith-part-0.md"
    assert "ShowToc" in warning.message
    assert any("cover.caption" in w.message for w in report.warnings_of("not imported"))
