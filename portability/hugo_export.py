"""The blog as a Hugo site: what `manage.py export_hugo` writes and the admin zips.

One page bundle per article, `content/posts/<slug>/`, with `index.md` in the default language
and `index.<lang>.md` for each translation, the Markdown as the author wrote it (only our
media addresses turned into the files beside it), the cover and body images as stored, and
YAML front matter `import_hugo` reads back. `hugo.toml` gives Hugo our URL shape
(/LANG/posts/SLUG/), so internal links and every old address keep working there too.
"""

import posixpath
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.text import slugify
from modeltranslation.utils import build_localized_fieldname as localized

from articles.models import Article
from sitewide.models import SiteSettings

LANGUAGES = [code for code, _name in settings.LANGUAGES]
DEFAULT = settings.LANGUAGE_CODE
# Markdown images and links, and HTML src/href, pointing into our media folder.
MEDIA_ADDRESS = re.compile(
    r"(?P<before>\]\(\s*<?|src=[\"']|href=[\"'])"
    rf"(?P<url>{re.escape(settings.MEDIA_URL)}(?P<path>[^)\s\"'>]+))"
)

# A plain theme of our own, so the export builds into readable pages with nothing added.
LAYOUTS = Path(__file__).parent / "hugo_layouts"


@dataclass
class ExportReport:
    articles: int = 0
    pages: int = 0
    images: int = 0
    notes: list = field(default_factory=list)

    def summary(self):
        return f"{self.articles} articles, {self.pages} pages, {self.images} images" + "".join(
            f"\n  note: {note}" for note in self.notes
        )


def toml_string(value):
    """A TOML basic string (the same escapes as JSON's, which TOML accepts)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'


def hugo_config():
    site = SiteSettings.load()
    lines = [
        f"baseURL = {toml_string(settings.SITE_URL + '/')}",
        f"title = {toml_string(getattr(site, localized('name', DEFAULT)) or site.name)}",
        f"defaultContentLanguage = {toml_string(DEFAULT)}",
        # Our addresses carry the language for every language: /en/posts/x/ and /ru/posts/x/.
        "defaultContentLanguageInSubdir = true",
        # Slugs and old addresses are written as they are; Hugo must not lower-case them.
        "disablePathToLower = true",
        f"timeZone = {toml_string(settings.TIME_ZONE)}",
        "",
        "[params]",
        'mainSections = ["posts"]',
        "",
        "[taxonomies]",
        'tag = "tags"',
        'series = "series"',
        "",
        "[permalinks]",
        'posts = "/posts/:slug/"',
        "",
        "[outputs]",
        'home = ["HTML", "RSS"]',
        "",
    ]
    for weight, (code, name) in enumerate(settings.LANGUAGES, start=1):
        with translation.override(code):
            lines += [
                f"[languages.{code}]",
                f"languageName = {toml_string(str(name))}",
                f"title = {toml_string(getattr(site, localized('name', code)) or site.name)}",
                f"weight = {weight}",
                "",
            ]
    return "\n".join(lines)


def hugo_date(moment):
    return moment.isoformat() if moment else None


def hidden_languages(article):
    return set(article.hidden_languages)


def old_addresses(article):
    """{language: [path, …]}: every address that answers 301 to this article."""
    paths = {code: [] for code in LANGUAGES}
    for redirect in article.redirects.all():
        if redirect.path:
            # An address of the Hugo site this blog was imported from, in its language.
            paths.setdefault(redirect.language, []).append(redirect.path)
            continue
        for code in LANGUAGES:
            with translation.override(code):
                paths[code].append(
                    article.get_absolute_url().replace(
                        f"/posts/{article.slug}/", f"/posts/{redirect.old_slug}/"
                    )
                )
    return {code: sorted(set(found)) for code, found in paths.items()}


class BundleWriter:
    def __init__(self, root, report):
        self.root = root
        self.report = report

    def copy_media(self, bundle, name, taken):
        """Copy a stored file into the bundle under its own name; returns that name or None."""
        if not default_storage.exists(name):
            return None
        base = posixpath.basename(name)
        target, number = base, 2
        while target in taken and taken[target] != name:
            stem, dot, ext = base.rpartition(".")
            target, number = f"{stem}-{number}{dot}{ext}", number + 1
        if target not in taken:
            with default_storage.open(name, "rb") as source, (bundle / target).open("wb") as out:
                shutil.copyfileobj(source, out)
            taken[target] = name
            self.report.images += 1
        return target

    def local_media(self, text, bundle, taken, article):
        def replace(match):
            copied = self.copy_media(bundle, match.group("path"), taken)
            if copied is None:
                self.report.notes.append(
                    f"{article.slug}: {match.group('url')} is not in the media folder; kept as is"
                )
                return match.group(0)
            return match.group("before") + copied

        return MEDIA_ADDRESS.sub(replace, text)

    def languages(self, article):
        present = [code for code in LANGUAGES if article.is_translated(code)]
        # An article not yet written in any language still gets its default-language page.
        return present or [DEFAULT]

    def write(self, article):
        bundle = self.root / "content" / "posts" / article.slug
        bundle.mkdir(parents=True)
        taken = {}
        cover = None
        if article.cover_image:
            cover = self.copy_media(bundle, article.cover_image.name, taken)
            if cover is None:
                self.report.notes.append(f"{article.slug}: the cover file is missing")
        part = getattr(article, "series_part", None)
        aliases = old_addresses(article)
        hidden = hidden_languages(article)
        languages = self.languages(article)
        for code in languages:
            with translation.override(code):
                front = self.front_matter(article, code, cover, part, aliases.get(code, []))
                if code in hidden:
                    front["build"] = {"list": "never"}
                body = getattr(article, localized("body", code)) or ""
            body = self.local_media(body, bundle, taken, article)
            name = "index.md" if code == DEFAULT else f"index.{code}.md"
            text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
            (bundle / name).write_text(text + "---\n\n" + body.strip("\n") + "\n", "utf-8")
            self.report.pages += 1
        if DEFAULT not in languages:
            self.report.notes.append(
                f"{article.slug}: no {DEFAULT} text; written in {', '.join(languages)} only"
            )
        self.report.articles += 1

    def front_matter(self, article, code, cover, part, aliases):
        title = getattr(article, localized("title", code)) or article.title
        front = {
            "title": title,
            "slug": article.slug,
            "translationKey": article.slug,
            "date": hugo_date(article.published_at),
            "lastmod": hugo_date(article.updated_at),
            "draft": article.status != Article.Status.PUBLISHED,
            "summary": getattr(article, localized("summary", code)) or "",
            "author": article.author.name,
            "tags": [tag.name for tag in article.tags.all()],
        }
        if part is not None:
            front["series"] = [part.series.title]
            front["weight"] = part.position
        if cover:
            alt = getattr(article, localized("cover_alt", code)) or ""
            front["cover"] = {"image": cover, "alt": alt}
        if aliases:
            front["aliases"] = aliases
        return {key: value for key, value in front.items() if value not in (None, "", [])} | {
            "draft": front["draft"]
        }


def all_articles():
    """Every article, drafts and scheduled ones included: the export is the owner's."""
    return (
        Article.objects.select_related("author", "series_part__series")
        .prefetch_related("tags", "redirects")
        .order_by("pk")
    )


def write_site(root, articles=None):
    """Write the Hugo site into `root`, an empty folder."""
    root = Path(root)
    report = ExportReport()
    (root / "hugo.toml").write_text(hugo_config(), "utf-8")
    shutil.copytree(LAYOUTS, root / "layouts")
    (root / "content" / "posts").mkdir(parents=True)
    writer = BundleWriter(root, report)
    series = {}
    for article in articles if articles is not None else all_articles():
        writer.write(article)
        part = getattr(article, "series_part", None)
        if part is not None:
            series[part.series.pk] = part.series
    for one in series.values():
        write_series_page(root, one)
    return report


def write_series_page(root, series):
    """The series' own page (its intro) as Hugo's term page, in each language it has a title.

    Hugo addresses a term by its name, as the posts' `series` lists it in that language.
    """
    for code in LANGUAGES:
        title = getattr(series, localized("title", code)) or ""
        if not title:
            continue
        folder = root / "content" / "series" / (slugify(title, allow_unicode=True) or series.slug)
        folder.mkdir(parents=True, exist_ok=True)
        name = "_index.md" if code == DEFAULT else f"_index.{code}.md"
        front = yaml.safe_dump({"title": title}, allow_unicode=True, sort_keys=False)
        intro = (getattr(series, localized("intro", code)) or "").strip("\n")
        (folder / name).write_text(f"---\n{front}---\n\n{intro}\n", "utf-8")


class ExportError(Exception):
    pass


def export_to(path, articles=None):
    """Write the site to `path` (new or empty) through a staging folder: never half a site."""
    target = Path(path)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ExportError(f"{target} exists and is not an empty folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        report = write_site(staging, articles)
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def export_zip(outfile, articles=None):
    """The Hugo site as a zip written to `outfile` (a file object)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "site"
        root.mkdir()
        report = write_site(root, articles)
        with zipfile.ZipFile(outfile, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, Path("hugo-site") / path.relative_to(root))
    return report
