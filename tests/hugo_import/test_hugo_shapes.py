"""Real Hugo sites differ from ours: no author anywhere, drafts, series as a table, figures
beside a page, theme covers, a summary that is the first paragraph."""

import io
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import Article, Author
from hugo_import.models import ImportedPost
from series.models import Series

pytestmark = pytest.mark.django_db
SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "hugo_shapes"


@pytest.fixture
def shape(tmp_path):
    def copy(name):
        return Path(shutil.copytree(SHAPES / name, tmp_path / name))

    return copy


@pytest.fixture
def run(run_import, django_capture_on_commit_callbacks):
    """The import as it runs for real: images are written when each post commits."""

    def run_committed(path, **options):
        with django_capture_on_commit_callbacks(execute=True):
            return run_import(path, **options)

    return run_committed


def article(slug):
    return Article.objects.get(slug=slug)


def media_files(settings):
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


# No author anywhere.


def test_a_site_with_no_author_anywhere_is_written_by_the_first_staff_member(
    shape, run, django_user_model
):
    django_user_model.objects.create_user("late@example.org", is_staff=True)
    owner = django_user_model.objects.create_user(
        "mira@example.org", first_name="Mira", last_name="Osei", is_staff=True
    )
    django_user_model.objects.filter(pk=owner.pk).update(date_joined="2000-01-01T00:00Z")
    report = run(shape("single_author"))
    assert report.skipped == []
    assert len(report.created) == 7
    assert {a.author.name for a in Article.objects.all()} == {"Mira Osei"}
    assert Author.objects.get().user.get_username() == "mira@example.org"
    assert (
        "Posts without an author of their own are by Mira Osei, "
        "from the first staff member (mira@example.org)." in report.lines()
    )


def test_the_author_option_names_the_author_of_a_site_that_names_none(shape, db):
    out = io.StringIO()
    call_command("import_hugo", str(shape("single_author")), "--author", "Mira  Osei", stdout=out)
    assert {a.author.name for a in Article.objects.all()} == {"Mira Osei"}
    assert "by Mira Osei, from --author" in out.getvalue()


def test_the_site_configs_author_table_comes_before_the_option(shape, run):
    report = run(shape("series_map"), author="Someone Else")
    assert {a.author.name for a in Article.objects.all()} == {"Ira Vale"}
    assert "from the site config's author" in " ".join(report.notes)


def test_with_no_author_and_no_staff_each_post_says_what_to_do(shape, run, settings):
    report = run(shape("single_author"))
    assert report.created == []
    assert {item["reason"] for item in report.skipped} == {
        "not imported: no author in the page or the site config; pass --author NAME"
    }
    # Nothing half-done: the images of the skipped posts were not copied.
    assert media_files(settings) == []


# Drafts, summaries, images.


def test_a_draft_is_imported_as_a_draft(shape, run, admin_user):
    run(shape("single_author"))
    assert article("half-built").state == Article.State.DRAFT


def test_a_plain_first_paragraph_becomes_the_summary_and_is_not_shown_twice(shape, run, admin_user):
    run(shape("single_author"))
    light = article("first-light")
    assert light.summary_en == (
        "The first test of the lens happened on a cold March evening in the yard."
    )
    assert "cold March evening" not in light.body_en
    assert light.body_en.startswith("It went better than expected")


def test_a_first_paragraph_with_a_link_stays_in_the_body_and_the_report_says_so(
    shape, run, admin_user
):
    report = run(shape("single_author"))
    opening = article("linked-opening")
    assert opening.summary_en == ""
    assert 'href="https://example.org/"' in opening.body_html_en
    (warning,) = report.warnings_of("no summary")
    assert str(warning).startswith("content/posts/linked-opening.md:6: no summary")


def test_a_description_equal_to_the_first_paragraph_is_reported_with_its_line(
    shape, run, admin_user
):
    report = run(shape("single_author"))
    described = article("described")
    assert described.summary_en == "The grinding took three weekends and one broken tool."
    assert described.body_en.startswith("Polishing was quicker.")
    (warning,) = report.warnings_of("duplicated summary")
    assert str(warning).startswith("content/posts/described.md:8: duplicated summary")


def test_figures_beside_a_page_outside_a_bundle_are_found(shape, run, admin_user, settings):
    report = run(shape("single_author"))
    assert report.warnings_of("missing image") == []
    body = article("quarto-figures").body_en
    urls = re.findall(rf"{settings.MEDIA_URL}uploads/[0-9a-f]+\.png", body)
    assert len(set(urls)) == 2
    for url in urls:
        assert (Path(settings.MEDIA_ROOT) / url.removeprefix(settings.MEDIA_URL)).is_file()
    assert "Focal lengths measured" in article("quarto-figures").body_html_en


@pytest.mark.parametrize(
    ("slug", "alt"),
    [
        ("mount", "A wooden mount on a tripod"),  # cover.src
        ("described", "Described Twice"),  # featured_image in static/
        ("quarto-figures", "Figures From a Notebook"),  # images: [...]
        ("featured-bundle", "A Bundle With a Featured Image"),  # featured.png in the bundle
    ],
)
def test_theme_cover_spellings_become_the_cover(shape, run, admin_user, settings, slug, alt):
    run(shape("single_author"))
    cover = article(slug)
    assert cover.cover_image.name.startswith("covers/")
    assert (Path(settings.MEDIA_ROOT) / cover.cover_image.name).is_file()
    assert cover.cover_alt_en == alt


def test_a_remote_cover_is_reported_with_what_to_do(shape, run, admin_user):
    site = shape("single_author")
    path = site / "content/posts/first-light.md"
    path.write_text(
        path.read_text().replace("tags:", "cover: https://cdn.example.org/a.png\ntags:")
    )
    report = run(site)
    (warning,) = report.warnings_of("remote image")
    assert "save it beside the post" in warning.message


def test_a_dry_run_copies_no_file(shape, settings, admin_user):
    out = io.StringIO()
    call_command("import_hugo", str(shape("single_author")), "--dry-run", stdout=out)
    assert "7 created" in out.getvalue()
    assert media_files(settings) == []
    assert not Article.objects.exists()


def test_a_second_run_changes_nothing_and_copies_nothing_new(shape, run, admin_user, settings):
    site = shape("single_author")
    run(site)
    files = media_files(settings)
    rows = sorted(Article.objects.values_list("slug", "summary_en", "body_en", "cover_image"))
    report = run(site)
    assert len(report.unchanged) == 7
    assert media_files(settings) == files
    assert (
        sorted(Article.objects.values_list("slug", "summary_en", "body_en", "cover_image")) == rows
    )


# Series written as a table.


def test_a_series_table_names_one_series_and_orders_its_parts(shape, run):
    report = run(shape("series_map"))
    series = Series.objects.get()
    assert series.slug == "distributed-systems"
    assert series.title_en == "Distributed systems"
    assert [part.article.slug for part in series.parts.order_by("position")] == [
        "consensus",
        "clocks",
    ]
    assert report.series_created == ["distributed-systems"]
    assert ImportedPost.objects.count() == 2
