"""Imports that start from an empty blog or from a changed copy of the fixture site."""

import io

import pytest

from articles.models import Article, Author
from hugo_import.site import HugoSite, HugoSiteError
from series.models import Series

pytestmark = pytest.mark.django_db


def article(slug):
    return Article.objects.get(slug=slug)


def test_parts_without_weight_follow_their_dates(hugo_site, run_import):
    for name in ("monolith-part-1.md", "monolith-part-2/index.md"):
        path = hugo_site / "content/posts" / name
        path.write_text(path.read_text().replace("weight: ", "oldweight: "))
    path = hugo_site / "content/posts/monolith-part-0.md"
    path.write_text(path.read_text().replace("weight = 1", "weight = 0"))
    run_import(hugo_site)
    series = Series.objects.get()
    assert [part.article.slug for part in series.parts.order_by("position")] == [
        "monolith-part-2",
        "monolith-part-1",
        "monolith-part-0",
    ]


def test_an_existing_author_is_reused(make_author, hugo_site, run_import):
    lena = make_author(name="Lena Tran", slug="lena")
    run_import(hugo_site)
    assert article("json-notes").author == lena
    assert not Author.objects.filter(slug="lena-tran").exists()


def test_a_post_without_an_author_anywhere_is_skipped_with_the_reason(hugo_site, run_import):
    config = hugo_site / "hugo.toml"
    config.write_text(config.read_text().replace('author = "Lena Tran"', ""))
    report = run_import(hugo_site)
    reasons = {item["file"]: item["reason"] for item in report.skipped}
    assert "no author" in reasons["content/posts/json-notes.md"]
    assert Article.objects.filter(slug="tech-radar-2026-04-17").exists()


def test_a_taken_slug_gets_a_suffix_and_a_warning(make_article, hugo_site, run_import):
    make_article(slug="json-notes", title_en="Written in the admin")
    report = run_import(hugo_site)
    assert article("json-notes").title_en == "Written in the admin"
    assert article("json-notes-2").title_en == "Notes Kept in JSON Front Matter"
    (warning,) = report.warnings_of("duplicate slug")
    assert "json-notes-2" in warning.message


def test_a_russian_only_post_is_imported_in_russian_or_waits_with_the_reason(hugo_site, run_import):
    from hugo_import.importer import ONE_LANGUAGE_ARTICLES

    (hugo_site / "content-ru/posts/tolko-po-russki.md").write_text(
        "---\ntitle: Только по-русски\ndate: 2026-01-01\ntags: [Базы данных]\n---\n\n"
        "Вступление.\n\nТекст.\n"
    )
    report = run_import(hugo_site)
    reasons = {item["file"]: item["reason"] for item in report.skipped}
    if not ONE_LANGUAGE_ARTICLES:
        assert reasons["content-ru/posts/tolko-po-russki.md"].startswith(
            "waits: no English edition"
        )
        return
    assert "content-ru/posts/tolko-po-russki.md" in report.created
    only = Article.objects.get(slug="tolko-po-russki")
    assert (only.title_en, only.title_ru) == ("", "Только по-русски")
    # The first paragraph is the lede (as for every imported post), the rest the body.
    assert only.summary_ru == "Вступление."
    assert "Текст." in only.body_html_ru
    assert [tag.name_ru for tag in only.tags.all()] == ["Базы данных"]
    assert only.languages == ["ru"]


def test_an_image_that_fails_the_upload_checks_is_reported(hugo_site, run_import):
    (hugo_site / "content/posts/monolith-part-2/diagram.png").write_bytes(b"not an image")
    report = run_import(hugo_site)
    (warning,) = report.warnings_of("image refused")
    assert "diagram.png" in warning.message


def test_an_image_path_cannot_leave_the_site_folder(hugo_site, tmp_path, run_import):
    (tmp_path / "secret.png").write_bytes((hugo_site / "static/images/radar.png").read_bytes())
    path = hugo_site / "content/posts/json-notes.md"
    path.write_text(path.read_text() + "\n![Secret](../../../secret.png)\n")
    report = run_import(hugo_site)
    assert any("secret.png" in w.message for w in report.warnings_of("missing image"))


def test_an_image_over_the_upload_size_limit_is_refused(hugo_site, run_import, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 500
    report = run_import(hugo_site)
    refused = {w.message.split(":")[0] for w in report.warnings_of("image refused")}
    # diagram.png and radar.png are over 500 bytes; the cover is under.
    assert refused == {"diagram.png", "radar.png"}
    assert all("too big" in w.message for w in report.warnings_of("image refused"))
    assert Article.objects.get(slug="monolith-part-2").cover_image


def test_a_russian_page_links_to_the_russian_edition(hugo_site, run_import):
    path = hugo_site / "content/posts/monolith-part-0.ru.md"
    path.write_text(path.read_text() + "\nСм. [часть 1](../monolith-part-1/).\n")
    run_import(hugo_site)
    assert 'href="/ru/posts/monolith-part-1/"' in article("monolith-part-0").body_html_ru


def test_a_post_removed_from_the_source_is_reported_and_its_article_kept(hugo_site, run_import):
    run_import(hugo_site)
    (hugo_site / "content/posts/json-notes.md").unlink()
    report = run_import(hugo_site)
    (warning,) = report.warnings_of("source removed")
    assert warning.file == "content/posts/json-notes.md"
    assert Article.objects.filter(slug="json-notes").exists()


# A list, a table, a number and a boolean where each key expects something else.
ODD_VALUES = ["[1, 2]", "{a: 1}", "7", "true"]
MAPPED = [
    "title", "slug", "date", "publishDate", "lastmod", "draft", "summary", "description",
    "tags", "categories", "series", "author", "authors", "cover", "aliases", "translationKey",
    "weight", "url", "expiryDate",
]  # fmt: skip


def test_odd_front_matter_values_import_or_skip_with_a_reason_never_crash(tmp_path, run_import):
    """Every mapped key with every odd type: each post is imported or skipped with a reason."""
    posts = tmp_path / "site/content/posts"
    posts.mkdir(parents=True)
    (tmp_path / "site/hugo.toml").write_text('[params]\nauthor = "Ann"\n')
    files = []
    for key in MAPPED:
        for number, value in enumerate(ODD_VALUES):
            name = f"{key.lower()}-{number}"
            front = f"title: Post {name}\n" if key != "title" else ""
            (posts / f"{name}.md").write_text(f"---\n{front}{key}: {value}\n---\n\nText.\n")
            files.append(f"content/posts/{name}.md")
    report = run_import(tmp_path / "site")
    skipped = {item["file"]: item["reason"] for item in report.skipped}
    assert sorted(report.created + list(skipped)) == sorted(files)
    assert all(skipped.values())
    assert Article.objects.count() == len(report.created)
    # An author without a usable name falls back to params.author.
    assert "content/posts/authors-1.md" in report.created


@pytest.mark.parametrize(
    "config",
    [
        'languages = "en"',
        'params = "x"',
        'contentDir = "../elsewhere"',
        'staticDir = "/etc"',
        "permalinks = 3",
    ],
)
def test_a_config_of_the_wrong_shape_is_refused_with_a_reason(tmp_path, config):
    (tmp_path / "hugo.toml").write_text(config + "\n")
    with pytest.raises(HugoSiteError):
        HugoSite.load(tmp_path)


def test_overlong_names_fit_their_fields(tmp_path, run_import):
    long = "word " * 150
    posts = tmp_path / "site/content/posts"
    posts.mkdir(parents=True)
    (tmp_path / "site/hugo.toml").write_text("")
    (posts / "long.md").write_text(
        f"---\ntitle: Long\nauthor: {long}\ntags: [{long}]\nseries: [{long}]\n"
        f"translationKey: {long}\naliases: [/{'a' * 600}/]\n---\n\nText.\n"
    )
    report = run_import(tmp_path / "site")
    assert report.created == ["content/posts/long.md"]
    part = Article.objects.get(slug="long")
    for obj in [part.author, *part.tags.all(), part.series_part.series, part.hugo_source]:
        for field in obj._meta.concrete_fields:
            value = getattr(obj, field.attname)
            if field.max_length and isinstance(value, str):
                assert len(value) <= field.max_length, field
    assert report.warnings_of("address too long")


def test_the_section_option_chooses_what_is_imported(hugo_site, db):
    from django.core.management import call_command

    call_command("import_hugo", str(hugo_site), "--section", "radar", stdout=io.StringIO())
    assert list(Article.objects.values_list("slug", flat=True)) == ["tech-radar-2026-04-17"]


@pytest.mark.parametrize("front", ["headless: true", "build:\n  render: never"])
def test_a_page_hugo_does_not_publish_is_skipped(hugo_site, run_import, front):
    path = hugo_site / "content/posts/json-notes.md"
    path.write_text(f"---\ntitle: Resources only\n{front}\n---\n\nText.\n")
    report = run_import(hugo_site)
    reasons = {item["file"]: item["reason"] for item in report.skipped}
    assert reasons["content/posts/json-notes.md"].startswith("headless")


def tiny_site(root, files):
    files = {
        "hugo.toml": (
            '[params]\nauthor = "Ann"\n[languages.en]\ncontentDir = "content/en"\n'
            '[languages.ru]\ncontentDir = "content/ru"\n'
        ),
        **files,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_same_path_in_each_languages_folder_is_one_article(tmp_path, run_import):
    run_import(
        tiny_site(
            tmp_path,
            {
                "content/en/posts/queues.md": "---\ntitle: Queues\n---\n\nText.\n",
                "content/ru/posts/queues.md": "---\ntitle: Очереди\n---\n\nТекст.\n",
            },
        )
    )
    assert article("queues").title_ru == "Очереди"


def test_a_draft_translation_of_a_published_post_is_left_out(tmp_path, run_import):
    report = run_import(
        tiny_site(
            tmp_path,
            {
                "content/en/posts/a.md": "---\ntitle: A\ndate: 2025-01-01\n---\n\nText.\n",
                "content/ru/posts/a.md": "---\ntitle: А\ndraft: true\n---\n\nТекст.\n",
            },
        )
    )
    assert article("a").title_ru == ""
    assert report.warnings_of("draft translation")


def test_an_expired_post_becomes_a_draft_and_an_undated_one_is_published_now(
    tmp_path, run_import, now
):
    report = run_import(
        tiny_site(
            tmp_path,
            {
                "content/en/posts/old.md": "---\ntitle: Old\ndate: 2020-01-01\n"
                "expiryDate: 2021-01-01\n---\n\nText.\n",
                "content/en/posts/undated.md": "---\ntitle: Undated\n---\n\nText.\n",
            },
        )
    )
    assert article("old").state == Article.State.DRAFT
    assert report.warnings_of("expired")
    assert article("undated").state == Article.State.LIVE
    assert article("undated").published_at >= now
    assert report.warnings_of("no date")
