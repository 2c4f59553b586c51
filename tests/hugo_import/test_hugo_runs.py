"""Running again, after edits, in a dry run, with a broken post, and as a command."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import migrated_template
import pytest
import reversion
from django.apps import apps
from django.core.management import call_command
from reversion.models import Revision, Version

from articles.models import Article, Redirect
from hugo_import.importer import Importer
from hugo_import.models import ImportedPost

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
MODELS = [
    "articles.Article",
    "articles.Tag",
    "articles.Author",
    "series.Series",
    "series.SeriesPart",
    "hugo_import.ImportedPost",
    "articles.Redirect",
]


def snapshot():
    """Every row the importer writes, field by field, and every revision."""
    rows = {name: sorted(map(repr, apps.get_model(name).objects.values_list())) for name in MODELS}
    rows["article tags"] = sorted(Article.tags.through.objects.values_list("article", "tag"))
    rows["revisions"] = Revision.objects.count()
    rows["versions"] = Version.objects.count()
    return rows


def test_a_second_run_changes_nothing(hugo_site, run_import, settings):
    run_import(hugo_site)
    before = snapshot()
    media = sorted(path.name for path in Path(settings.MEDIA_ROOT).rglob("*"))
    report = run_import(hugo_site)
    assert (report.created, report.updated) == ([], [])
    assert len(report.unchanged) == 8
    assert snapshot() == before
    assert sorted(path.name for path in Path(settings.MEDIA_ROOT).rglob("*")) == media


def test_each_imported_article_gets_one_revision(hugo_site, run_import):
    run_import(hugo_site)
    part = Article.objects.get(slug="monolith-part-0")
    (version,) = Version.objects.get_for_object(part)
    assert version.revision.comment == "Imported from Hugo: content/posts/monolith-part-0.md"


def test_an_edited_source_updates_its_article_with_a_new_revision(hugo_site, run_import):
    run_import(hugo_site)
    path = hugo_site / "content/posts/monolith-part-0.md"
    path.write_text(path.read_text().replace("Six engineers", "Seven engineers"))
    report = run_import(hugo_site)
    assert report.updated == ["content/posts/monolith-part-0.md"]
    assert len(report.unchanged) == 7
    part = Article.objects.get(slug="monolith-part-0")
    assert "Seven engineers" in part.body_html_en
    assert Version.objects.get_for_object(part).count() == 2
    # Only the English moved: the Russian translation is now behind.
    assert part.translation_behind_since is not None


def test_admin_edits_to_articles_with_an_unchanged_source_are_kept(hugo_site, run_import):
    run_import(hugo_site)
    notes = Article.objects.get(slug="json-notes")
    with reversion.create_revision():
        notes.title_en = "Notes in JSON, retitled by an editor"
        notes.save()
    path = hugo_site / "content/posts/monolith-part-0.md"
    path.write_text(path.read_text() + "\nOne more line.\n")
    run_import(hugo_site)
    assert Article.objects.get(slug="json-notes").title_en == "Notes in JSON, retitled by an editor"


def test_a_changed_alias_replaces_the_old_one(hugo_site, run_import):
    run_import(hugo_site)
    path = hugo_site / "content/posts/monolith-part-1.md"
    path.write_text(path.read_text().replace("/2026/02/network-hops/", "/hops/"))
    run_import(hugo_site)
    paths = set(Redirect.objects.values_list("path", flat=True))
    assert "/hops/" in paths
    assert "/2026/02/network-hops/" not in paths


def test_a_failing_post_rolls_back_alone_and_is_reported(hugo_site, run_import, monkeypatch):
    real = Importer.set_old_addresses

    def fail_for_json_notes(self, article, post):
        if article.slug == "json-notes":
            raise ValueError("disk on fire")
        return real(self, article, post)

    monkeypatch.setattr(Importer, "set_old_addresses", fail_for_json_notes)
    report = run_import(hugo_site)
    reasons = {item["file"]: item["reason"] for item in report.skipped}
    assert reasons["content/posts/json-notes.md"] == "not imported: disk on fire"
    assert len(report.created) == 7
    # Its article, its new tag and its revision went with it.
    assert not Article.objects.filter(slug="json-notes").exists()
    assert not ImportedPost.objects.filter(source_path="content/posts/json-notes.md").exists()
    assert not Article.tags.rel.model.objects.filter(slug="tooling").exists()
    assert Revision.objects.count() == 7

    monkeypatch.setattr(Importer, "set_old_addresses", real)
    report = run_import(hugo_site)
    assert report.created == ["content/posts/json-notes.md"]


def test_a_post_with_broken_front_matter_is_skipped_and_the_rest_imported(hugo_site, run_import):
    report = run_import(hugo_site)
    reasons = {item["file"]: item["reason"] for item in report.skipped}
    assert reasons["content/posts/broken-front-matter.md"].startswith("front matter cannot be read")
    assert len(report.created) == 8


def test_a_dry_run_reports_the_same_and_saves_nothing(hugo_site, settings):
    before = snapshot()
    out = io.StringIO()
    call_command("import_hugo", str(hugo_site), "--dry-run", stdout=out)
    assert out.getvalue().startswith(
        "Dry run: nothing was saved. 8 created, 0 updated, 0 unchanged, 1 skipped"
    )
    assert snapshot() == before
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_the_command_imports_a_site_and_writes_the_report(hugo_site, tmp_path, request):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "MEDIA_ROOT"}
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'blog.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    # A migrated database: the test run's template (tests/migrated_template.py) when there is
    # one, as migrating an empty file again costs a Django start-up and seconds of CPU.
    if not migrated_template.restore(request.config, tmp_path / "blog.sqlite3"):
        manage("migrate", "--noinput", "-v0")
    result = manage("import_hugo", str(hugo_site), "--json", str(tmp_path / "report.json"))
    assert "8 created, 0 updated, 0 unchanged, 1 skipped" in result.stdout
    assert "tech-radar-2026-04-17.md:28: unknown shortcode" in result.stdout
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["counts"]["created"] == 8
    assert {warning["kind"] for warning in data["warnings"]} >= {
        "unknown shortcode",
        "missing image",
        "unknown front-matter key",
        "unsupported language",
    }


def test_a_folder_that_is_not_a_hugo_site_is_a_command_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"no hugo\.toml"):
        call_command("import_hugo", str(tmp_path))
