"""A Hugo site from a stranger: it cannot read the server, hang the import or stop the run."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article
from hugo_import.importer import Importer
from hugo_import.site import HugoSite, HugoSiteError

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SECRET = "SECRET_KEY=hunter2-do-not-publish"
POST = "---\ntitle: {title}\ndate: 2024-02-03\n---\n\nBody of {title}.\n"


def site_with(root, files, config='[params]\nauthor = "Ann"\n'):
    root.mkdir(parents=True, exist_ok=True)
    (root / "hugo.toml").write_text(config)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return root


def everything_public():
    return " ".join(
        " ".join(str(value) for value in row)
        for row in Article.objects.values_list("title_en", "summary_en", "body_en", "body_html_en")
    )


@pytest.fixture
def outside(tmp_path):
    """A secret file elsewhere on the server, written as a Hugo post would be."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / ".env").write_text(f"---\ntitle: Env\n---\n\n{SECRET}\n")
    (folder / "notes.md").write_text(f"---\ntitle: Notes\n---\n\n{SECRET}\n")
    return folder


# Links out of the site's folder.


def test_a_content_file_linked_to_a_file_elsewhere_is_not_read(tmp_path, outside, run_import):
    site = site_with(tmp_path / "site", {"content/posts/ok.md": POST.format(title="Ok")})
    (site / "content/posts/env.md").symlink_to(outside / ".env")
    report = run_import(site)
    assert report.created == ["content/posts/ok.md"]
    assert SECRET not in everything_public()
    (warning,) = report.warnings_of("not read")
    assert warning.file == "content/posts/env.md"
    assert "outside the site" in warning.message


def test_a_folder_linked_to_elsewhere_is_not_walked(tmp_path, outside, run_import):
    site = site_with(tmp_path / "site", {"content/posts/ok.md": POST.format(title="Ok")})
    (site / "content/posts/more").symlink_to(outside, target_is_directory=True)
    report = run_import(site)
    assert report.created == ["content/posts/ok.md"]
    assert SECRET not in everything_public()
    assert report.warnings_of("not read")


def test_a_content_folder_linked_to_elsewhere_is_not_walked(tmp_path, outside, run_import):
    site = site_with(tmp_path / "site", {})
    (outside / "posts").mkdir()
    (outside / "posts/notes.md").write_text(f"---\ntitle: Notes\n---\n\n{SECRET}\n")
    (site / "content").symlink_to(outside, target_is_directory=True)
    report = run_import(site)
    assert report.created == []
    assert not Article.objects.exists()
    assert report.warnings_of("not read")


def test_a_link_loop_imports_each_post_once(tmp_path, run_import):
    site = site_with(
        tmp_path / "site",
        {f"content/posts/post-{n}.md": POST.format(title=f"Post {n}") for n in range(3)},
    )
    (site / "content/posts/loop").symlink_to(".", target_is_directory=True)
    (site / "content/posts/self.md").symlink_to("self.md")
    report = run_import(site)
    assert sorted(report.created) == [f"content/posts/post-{n}.md" for n in range(3)]
    assert Article.objects.count() == 3
    messages = {w.file: w.message for w in report.warnings_of("not read")}
    assert "read already" in messages["content/posts/loop"]
    assert messages["content/posts/self.md"] == "a link loop"


def test_a_link_inside_the_site_is_followed(tmp_path, run_import):
    site = site_with(tmp_path / "site", {"shared/kept.md": POST.format(title="Kept")})
    (site / "content/posts").mkdir(parents=True)
    (site / "content/posts/kept.md").symlink_to(site / "shared/kept.md")
    assert run_import(site).created == ["content/posts/kept.md"]


def test_an_image_linked_to_a_file_elsewhere_is_not_copied(tmp_path, run_import, settings):
    site = site_with(
        tmp_path / "site",
        {"content/posts/pic/index.md": POST.format(title="Pic") + "![A](a.png)\n"},
    )
    png = ROOT / "tests/fixtures/hugo_site/static/images/radar.png"
    (tmp_path / "secret.png").write_bytes(png.read_bytes())
    (site / "content/posts/pic/a.png").symlink_to(tmp_path / "secret.png")
    report = run_import(site)
    assert report.images == 0
    assert report.warnings_of("missing image")
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.png"))


@pytest.mark.parametrize("name", ["hugo.toml", "config/_default/params.toml"])
def test_a_config_linked_to_a_file_elsewhere_is_refused(tmp_path, outside, name):
    site = tmp_path / "site"
    (site / "config/_default").mkdir(parents=True)
    if name != "hugo.toml":
        (site / "hugo.toml").write_text("")
    (site / name).symlink_to(outside / ".env")
    with pytest.raises(HugoSiteError, match="outside the site"):
        HugoSite.load(site)


# Files built to exhaust the parser.

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP_TOML = "x = " + "[" * 10_000 + "]" * 10_000
DEEP_JSON = '{"x": ' + "[" * 10_000 + "]" * 10_000 + "}"


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        (f"---\ntitle: Laughs\n{LAUGHS}---\n", "YAML aliases"),
        ("---\ntitle: Loop\nx: &x [*x]\n---\n", "contains itself"),
        ("---\nx: " + "[" * 10_000 + "]" * 10_000 + "\n---\n", "levels deep"),
        (f"+++\n{DEEP_TOML}\n+++\n", "levels deep"),
        (DEEP_JSON.replace("{", "{\n", 1).removesuffix("}") + "\n}\n", "levels deep"),
        ("---\ntitle: Big\n---\n" + "word " * 500_000, "larger than"),
    ],
)
def test_a_bomb_in_front_matter_skips_that_post_alone(tmp_path, run_import, front, reason):
    site = site_with(
        tmp_path / "site",
        {"content/posts/ok.md": POST.format(title="Ok"), "content/posts/bomb.md": front + "Hi\n"},
    )
    report = run_import(site)
    assert report.created == ["content/posts/ok.md"]
    (skipped,) = report.skipped
    assert skipped["file"] == "content/posts/bomb.md"
    assert reason in skipped["reason"]


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("config.yaml", f"title: x\n{LAUGHS}", "YAML aliases"),
        ("hugo.toml", DEEP_TOML, "levels deep"),
        ("hugo.json", DEEP_JSON, "levels deep"),
        ("hugo.toml", 'title = "\xe9t\xe9"'.encode("latin-1"), "not UTF-8 text"),
    ],
)
def test_a_config_bomb_or_foreign_encoding_is_a_clear_command_error(tmp_path, name, text, reason):
    site = tmp_path / "site"
    site.mkdir()
    (site / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(CommandError, match=reason):
        call_command("import_hugo", str(site))


def test_shortcodes_nested_ten_thousand_deep_are_imported_and_reported(tmp_path, run_import):
    body = "{{< box >}}" * 10_000 + "core" + "{{< /box >}}" * 10_000
    site = site_with(tmp_path / "site", {"content/posts/deep.md": POST.format(title="D") + body})
    report = run_import(site)
    assert report.created == ["content/posts/deep.md"]
    assert report.warnings_of("shortcodes nested too deep")
    assert "core" in Article.objects.get().body_en


def test_a_post_over_its_time_budget_is_skipped_and_the_rest_imported(tmp_path, db):
    site = site_with(
        tmp_path / "site",
        {
            "content/posts/a-slow.md": POST.format(title="Slow") + "{{< x >}}\n" * 50,
            "content/posts/b-quick.md": POST.format(title="Quick"),
        },
    )
    ticks = iter(range(10**6))
    report = Importer(HugoSite.load(site), time_budget=20, clock=lambda: next(ticks)).run()
    assert report.created == ["content/posts/b-quick.md"]
    (skipped,) = report.skipped
    assert "longer than its 20 s budget" in skipped["reason"]


def test_an_unforeseen_error_in_one_post_costs_that_post_alone(tmp_path, run_import, monkeypatch):
    site = site_with(
        tmp_path / "site",
        {f"content/posts/{name}.md": POST.format(title=name) for name in ("a", "b")},
    )
    real = Importer.tags

    def odd(self, page):
        if page.basename == "a":
            raise TypeError("an odd value nobody foresaw")
        return real(self, page)

    monkeypatch.setattr(Importer, "tags", odd)
    report = run_import(site)
    assert report.created == ["content/posts/b.md"]
    assert report.skipped == [
        {
            "file": "content/posts/a.md",
            "reason": "not imported: TypeError: an odd value nobody foresaw",
        }
    ]


# The texts that made regular expressions backtrack for minutes; bounded in a subprocess so
# that a regression fails instead of hanging the suite.
HOSTILE_BODIES = {
    "opener and spaces": "{{< x" + " " * 2000 + "\n",
    "many openers": "{{< a " * 4000,
    "quoted openers": '{{< a "' * 4000,
    "escaped openers": "{{</* a " * 4000,
    "self-closing slashes": "{{< a " + "/ " * 5000,
    "image openers": "![" * 50_000,
    "link openers": "[x](" * 20_000,
    "reference openers": "[" + "a" * 3000 + "\n" * 2 + "[a\n" * 5000,
}


def test_hostile_bodies_convert_in_bounded_time():
    script = textwrap.dedent(
        """
        import django, os, sys
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
        django.setup()
        from tests.hugo_import.test_hugo_hostile import HOSTILE_BODIES
        from tests.hugo_import.test_hugo_content import convert
        for name, body in HOSTILE_BODIES.items():
            convert(body)
            print(name, flush=True)
        """
    )
    env = {**os.environ, "DATABASE_URL": "sqlite:///:memory:"}
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split("\n")[:-1] == list(HOSTILE_BODIES)
