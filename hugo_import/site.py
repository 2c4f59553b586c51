"""A Hugo site on disk: its config, its pages grouped into translations, their old addresses."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path, PurePosixPath
from posixpath import normpath
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler

from hugo_import.safe import (
    MAX_CONFIG_BYTES,
    MAX_FRONT_MATTER_BYTES,
    MAX_PAGE_BYTES,
    Boundary,
    UnsafeInputError,
    parse,
    read_text,
)

CONFIG_NAMES = [
    f"{stem}.{ext}" for stem in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json")
]
CONFIG_SUFFIXES = {".toml", ".yaml", ".yml", ".json"}
CONTENT_SUFFIXES = {".md", ".markdown"}


class HugoSiteError(Exception):
    """The folder is not a Hugo site we can read."""


class PageError(Exception):
    """One page cannot be read; the others still can."""


class TOMLHandler(BaseHandler):
    """`+++` front matter."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    kind = "toml"


# python-frontmatter finds the boundaries; our bounded parser reads what is between them.
YAMLHandler.kind = "yaml"
JSONHandler.kind = "json"


def lower_keys(value):
    """Hugo's config and front-matter keys are case-insensitive (publishDate = publishdate)."""
    if isinstance(value, dict):
        return {str(key).lower(): lower_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [lower_keys(item) for item in value]
    return value


def load_config_file(path, boundary):
    why = boundary.why_not(path)
    if why:
        raise HugoSiteError(f"{path}: {why}")
    try:
        text = read_text(path, MAX_CONFIG_BYTES)
        data = parse(text, path.suffix.lstrip(".").replace("yml", "yaml")) or {}
    except ValueError as error:  # UnsafeInputError included
        raise HugoSiteError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise HugoSiteError(f"{path}: not a table of settings")
    return lower_keys(data)


def read_config(root, boundary):
    """The site config: one file at the root, or a config/_default/ folder split by key."""
    config = {}
    found = []
    for name in CONFIG_NAMES:
        if (root / name).is_file() or (root / name).is_symlink():
            config.update(load_config_file(root / name, boundary))
            found.append(name)
            break
    folder = root / "config" / "_default"
    if folder.is_dir() and boundary.resolve(folder):
        for path in sorted(folder.iterdir()):
            # menus.en.toml and the like are per-language extras we do not need.
            if path.suffix not in CONFIG_SUFFIXES or "." in path.stem:
                continue
            data = load_config_file(path, boundary)
            if path.stem in {"hugo", "config"}:
                config.update(data)
            else:
                config.setdefault(path.stem, {}).update(data)
            found.append(str(path.relative_to(root)))
    if not found:
        raise HugoSiteError(f"{root}: no hugo.toml, config.toml, config.yaml or config/ folder")
    return config


@dataclass
class SiteConfig:
    default_language: str
    # language code → its content folder
    content_dirs: dict
    default_in_subdir: bool
    sections: list
    permalinks: dict
    time_zone: object
    ugly_urls: bool
    lower_paths: bool
    static_dir: Path
    default_author: str
    title: str = ""
    static_dirs: list = field(default_factory=list)
    assets_dir: Path | None = None
    base_path: str = ""  # /blog for baseURL = "https://example.org/blog/"
    taxonomies: list = field(default_factory=lambda: ["tags", "categories"])  # plural names
    # A language's own taxonomies (languages.fr.taxonomies) where it has them.
    language_taxonomies: dict = field(default_factory=dict)
    pager_size: int = 10
    pager_path: str = "page"
    rss_name: str = "index"

    @classmethod
    def from_dict(cls, root, config, sections=None):
        # Hugo's own default when the config names none (Hugo's, not ours: not LANGUAGE_CODE).
        default_language = str(config.get("defaultcontentlanguage") or "en").lower()
        content_dir = folder_setting(config, "contentdir", "content")
        languages = table(config, "languages") or {default_language: {}}
        content_dirs = {
            str(code).lower(): root
            / folder_setting(
                settings if isinstance(settings, dict) else {}, "contentdir", content_dir
            )
            for code, settings in languages.items()
        }
        params = table(config, "params")
        permalinks = table(config, "permalinks")
        # Hugo 0.112+ nests them by kind: permalinks.page.posts.
        if isinstance(permalinks.get("page"), dict):
            permalinks = permalinks["page"]
        zone_name = config.get("timezone")
        try:
            zone = ZoneInfo(str(zone_name)) if zone_name else UTC
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise HugoSiteError(f"unknown timeZone {zone_name!r}") from error
        # Where themes keep the site's author: params.author (a name, a table with a name, a
        # list of either), params.authors, or the old top-level author.
        authors = [
            name
            for value in (params.get("author"), params.get("authors"), config.get("author"))
            for name in person_names(value)
        ]
        return cls(
            default_language=default_language,
            content_dirs=content_dirs,
            default_in_subdir=bool(config.get("defaultcontentlanguageinsubdir")),
            sections=[str(name) for name in as_list(sections or params.get("mainsections"))],
            permalinks={
                str(key).strip("/"): value
                for key, value in permalinks.items()
                if isinstance(value, str)
            },
            time_zone=zone,
            ugly_urls=bool(config.get("uglyurls")),
            lower_paths=not config.get("disablepathtolower"),
            static_dir=root / folder_setting(config, "staticdir", "static"),
            static_dirs=[root / name for name in folder_list(config, "staticdir", "static")],
            assets_dir=root / folder_setting(config, "assetdir", "assets"),
            base_path=urlsplit(str(config.get("baseurl") or "")).path.rstrip("/"),
            default_author=authors[0] if authors else "",
            taxonomies=taxonomy_names(config),
            language_taxonomies={
                str(code).lower(): taxonomy_names(settings, default=taxonomy_names(config))
                for code, settings in languages.items()
                if isinstance(settings, dict) and "taxonomies" in settings
            },
            pager_size=pager_size(config),
            pager_path=str(
                table(config, "pagination").get("path") or config.get("paginatepath") or "page"
            ).strip("/"),
            rss_name=str(
                table(table(config, "outputformats"), "rss").get("basename") or "index"
            ).strip("/"),
            title=str(config.get("title") or "").strip(),
        )


def taxonomy_names(config, default=("tags", "categories")):
    if "taxonomies" not in config:
        return list(default)  # Hugo's default
    names = table(config, "taxonomies")
    return [str(plural).strip("/").lower() for plural in names.values() if str(plural).strip("/")]


def pager_size(config):
    value = table(config, "pagination").get("pagersize") or config.get("paginate") or 10
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 10


def person_names(value):
    """The names in an author value: "Ann", {name: Ann}, or a list of those."""
    names = []
    for item in as_list(value):
        if isinstance(item, dict):
            item = item.get("name") or item.get("title") or ""
        if isinstance(item, str | int | float) and str(item).strip():
            names.append(" ".join(str(item).split()))
    return names


def table(config, key):
    value = config.get(key) or {}
    if not isinstance(value, dict):
        raise HugoSiteError(f"{key} in the config is not a table")
    return value


def folder_list(config, key, default):
    """Every folder of a setting that may be a list (staticDir = ["static", "images"])."""
    value = config.get(key) or default
    names = value if isinstance(value, list) else [value]
    return [folder_setting({key: name}, key, default) for name in names] or [default]


def folder_setting(config, key, default):
    value = config.get(key) or default
    if isinstance(value, list):  # Hugo allows a list of static folders; the first is used
        value = value[0] if value else default
    if not isinstance(value, str) or Path(value).is_absolute() or ".." in Path(value).parts:
        raise HugoSiteError(f"{key} in the config must be a folder inside the site")
    return value


@dataclass
class Page:
    """One content file: a regular page or the index of a page bundle."""

    file: Path
    rel: str  # path inside its content folder, for people and for refs
    language: str
    dirs: list  # folders from the content root to the page (the bundle's parent for a bundle)
    basename: str  # file name without language and extension, or the bundle's folder name
    bundle: Path | None
    meta: dict = field(default_factory=dict)
    body: str = ""
    body_line: int = 1  # line of the file where the body starts
    source: str = ""  # path from the site's folder, for the report
    keys: dict = field(default_factory=dict)  # lower-case key → as the author wrote it

    @property
    def section(self):
        return self.dirs[0] if self.dirs else ""

    @property
    def folder(self):
        return self.bundle or self.file.parent

    @property
    def group_key(self):
        key = self.meta.get("translationkey")
        if key:
            return f"translationKey:{key}"
        return "/".join([*self.dirs, self.basename])

    def read(self):
        try:
            text = read_text(self.file, MAX_PAGE_BYTES)
        except UnsafeInputError as error:
            raise PageError(str(error)) from error
        stripped = text.lstrip("\ufeff")
        if stripped.startswith("+++"):
            handler = TOMLHandler()
        elif stripped.startswith("{"):
            handler = JSONHandler()
        elif stripped.startswith("---"):
            handler = YAMLHandler()
        else:
            handler = None
        if handler is None:
            metadata, body = {}, stripped
        else:
            try:
                front, body = handler.split(stripped)
            except ValueError as error:
                raise PageError("front matter is not closed") from error
            if len(front.encode()) > MAX_FRONT_MATTER_BYTES:
                raise PageError(f"front matter larger than {MAX_FRONT_MATTER_BYTES // 1000} kB")
            try:
                metadata = parse(front, handler.kind)
            # ValueError: also YAML's reading of an impossible date such as 2024-13-45.
            except ValueError as error:
                message = " ".join(str(error).split())
                raise PageError(f"front matter cannot be read: {message}") from error
        if metadata is None:
            metadata = {}
        if not isinstance(metadata, dict):
            raise PageError("front matter is not a table of keys")
        body = body.strip("\n")
        self.meta = lower_keys(metadata)
        self.keys = {str(key).lower(): str(key) for key in metadata}
        self.body = body
        start = stripped.find(body) if body else -1
        self.body_line = stripped.count("\n", 0, start) + 1 if start >= 0 else 1

    def date(self, key, zone):
        return to_datetime(self.meta.get(key), zone)

    @property
    def is_headless(self):
        build = self.meta.get("build")
        render = str(build.get("render", "")).lower() if isinstance(build, dict) else ""
        return str(self.meta.get("headless")).lower() == "true" or render in {"never", "false"}

    def title(self):
        return str(self.meta.get("title") or self.basename.replace("-", " ").capitalize())

    def terms(self, taxonomy):
        """The page's terms in one taxonomy (tags, categories, series…) as written."""
        values = self.meta.get(taxonomy)
        if taxonomy == "series":
            values = [
                item.get("name") if isinstance(item, dict) else item for item in as_list(values)
            ]
        return [
            str(item).strip()
            for item in as_list(values)
            if isinstance(item, str | int | float) and str(item).strip()
        ]

    def hugo_slug(self):
        return str(self.meta.get("slug") or "").strip()


def to_datetime(value, zone):
    """A front-matter date (TOML/YAML datetime, date or string) as an aware datetime."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        parsed = parse_datetime(value.strip().replace(" ", "T", 1))
        if parsed is None:
            day = parse_date(value.strip())
            if day is None:
                raise PageError(f"not a date: {value!r}")
            parsed = datetime.combine(day, time())
        value = parsed
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if not isinstance(value, datetime):
        raise PageError(f"not a date: {value!r}")
    return value if value.tzinfo else value.replace(tzinfo=zone)


def split_language(stem, known):
    """("post", "ru") for post.ru; ("post", None) when there is no language suffix.

    As in Hugo, only the site's configured languages count: go.dev.md is a page named go.dev.
    """
    name, dot, suffix = stem.rpartition(".")
    if dot and suffix.lower() in known:
        return name, suffix.lower()
    return stem, None


@dataclass
class HugoSite:
    root: Path
    config: SiteConfig
    pages: list = field(default_factory=list)
    broken: list = field(default_factory=list)  # (page, why it cannot be read)
    refused: list = field(default_factory=list)  # (path from the site's folder, why not read)
    boundary: Boundary = None
    notes: list = field(default_factory=list)

    @classmethod
    def load(cls, root, sections=None):
        root = Path(root)
        if not root.is_dir():
            raise HugoSiteError(f"{root}: no such folder")
        boundary = Boundary(root)
        config = read_config(root, boundary)
        site = cls(
            root=root,
            config=SiteConfig.from_dict(root, config, sections),
            boundary=boundary,
        )
        if not site.config.sections:
            site.choose_main_section()
        site.find_pages()
        return site

    def choose_main_section(self):
        """Hugo's default mainSections: the section with the most pages (posts if none)."""
        counts = {}
        for root in self.content_roots():
            if not (root.is_dir() and self.boundary.resolve(root)):
                continue
            for folder in sorted(root.iterdir()):
                if folder.is_dir() and not folder.is_symlink():
                    counts[folder.name] = counts.get(folder.name, 0) + sum(
                        1
                        for _ in zip(
                            (
                                p
                                for p in folder.rglob("*")
                                if p.suffix in CONTENT_SUFFIXES and not p.stem.startswith("_index")
                            ),
                            range(10_000),
                            strict=False,
                        )
                    )
        counts = {name: count for name, count in counts.items() if count}
        chosen = (
            max(counts, key=lambda name: (counts[name], name == "posts")) if counts else "posts"
        )
        self.config.sections = [chosen]
        others = sorted(set(counts) - {chosen})
        self.notes.append(
            f"No mainSections in the config: imported {chosen}/, the section with the most "
            "pages, as Hugo chooses"
            + (
                f"; not imported: {', '.join(o + '/' for o in others)} (add --section)"
                if others
                else ""
            )
            + "."
        )

    def refuse(self, path, why):
        self.refused.append((self.relative(path), why))

    def relative(self, path):
        try:
            return str(Path(path).relative_to(self.root))
        except ValueError:
            return str(path)

    def find_pages(self):
        folders = {}
        for language, folder in self.config.content_dirs.items():
            folders.setdefault(folder, []).append(language)
        # Real paths already walked or read: a link back up (posts/loop -> .) or a second
        # link to the same file adds nothing.
        self.seen = set()
        for folder, languages in folders.items():
            # A language's own folder: its pages are in that language unless a suffix says not.
            own = len(folders) > 1 and len(languages) == 1
            folder_language = languages[0] if own else self.config.default_language
            if (folder.is_dir() or folder.is_symlink()) and self.enter(folder):
                for section in self.config.sections:
                    if (folder / section).is_dir() or (folder / section).is_symlink():
                        self.walk(folder, folder / section, folder_language)
        readable = []
        for page in self.pages:
            try:
                page.read()
            except (PageError, OSError) as error:
                self.broken.append((page, str(error)))
            else:
                readable.append(page)
        self.pages = readable

    def enter(self, path):
        """Whether to read a file or folder: inside the site, and not read before."""
        why = self.boundary.why_not(path)
        if why:
            self.refuse(path, why)
            return False
        real = path.resolve()
        if real in self.seen:
            if path.is_symlink():
                self.refuse(path, f"a link to {self.relative(real)}, which is read already")
            return False
        self.seen.add(real)
        return True

    def walk(self, root, folder, folder_language):
        if not self.enter(folder):
            return
        known = set(self.config.content_dirs)
        entries = sorted(folder.iterdir())
        indexes = [
            path
            for path in entries
            if path.suffix in CONTENT_SUFFIXES and split_language(path.stem, known)[0] == "index"
        ]
        dirs = list(folder.relative_to(root).parts)
        if indexes:
            # A leaf bundle: the page and its resources; nothing below is a page of its own.
            for path in indexes:
                if not self.enter(path):
                    continue
                language = split_language(path.stem, known)[1] or folder_language
                self.pages.append(
                    Page(
                        file=path,
                        rel=str(path.relative_to(root)),
                        source=str(path.relative_to(self.root)),
                        language=language,
                        dirs=dirs[:-1],
                        basename=folder.name,
                        bundle=folder,
                    )
                )
            return
        for path in entries:
            if path.is_dir():
                self.walk(root, path, folder_language)
            elif path.suffix in CONTENT_SUFFIXES:
                basename, language = split_language(path.stem, known)
                if basename == "_index" or not self.enter(path):
                    continue  # _index: a section's own page, not a post
                self.pages.append(
                    Page(
                        file=path,
                        rel=str(path.relative_to(root)),
                        source=str(path.relative_to(self.root)),
                        language=language or folder_language,
                        dirs=dirs,
                        basename=basename,
                        bundle=None,
                    )
                )
            elif path.is_symlink():
                self.enter(path)  # a dangling link or a loop: said in the report

    def language_prefix(self, language):
        """/ru for a language Hugo served under its code; "" for the default at the root."""
        config = self.config
        if language == config.default_language and not config.default_in_subdir:
            return ""
        return f"/{language}"

    def has_section_page(self, dirs):
        """Whether a nested folder is a section of its own (it has an _index page)."""
        for root in self.content_roots():
            folder = root.joinpath(*dirs)
            if any(folder.glob("_index.*")):
                return True
        return False

    def archive_pages(self, layouts=("archives", "archive")):
        """Pages at a content folder's root that a theme shows as the archive (PaperMod's
        content/archives.md with layout: archives), or as the search page."""
        found, known = [], set(self.config.content_dirs)
        folders = {}
        for language, root in self.config.content_dirs.items():
            folders.setdefault(root, []).append(language)
        for root, languages in folders.items():
            if not (root.is_dir() and self.boundary.resolve(root)):
                continue
            folder_language = languages[0] if len(languages) == 1 else self.config.default_language
            for path in sorted(root.glob("*.md")):
                basename, suffix = split_language(path.stem, known)
                language = suffix or folder_language
                if self.boundary.resolve(path) is None:
                    continue
                page = Page(
                    file=path,
                    rel=path.name,
                    language=language,
                    dirs=[],
                    basename=basename,
                    bundle=None,
                    source=self.relative(path),
                )
                try:
                    page.read()
                except (PageError, OSError):
                    continue
                layout = str(page.meta.get("layout") or page.meta.get("type") or "").lower()
                if layout in layouts or (not layout and basename == layouts[0]):
                    found.append(page)
        return found

    def taxonomies(self, language):
        return self.config.language_taxonomies.get(language, self.config.taxonomies)

    def content_roots(self):
        return list(dict.fromkeys(self.config.content_dirs.values()))

    def resources(self, page):
        """The files of a page bundle that stay inside the site."""
        if page.bundle is None:
            return []
        found, stack = [], [page.bundle]
        while stack:
            folder = stack.pop()
            for path in sorted(folder.iterdir()):
                if self.boundary.resolve(path) is None:
                    continue
                if path.is_dir():
                    # rglob would not follow linked folders either; a loop is impossible here.
                    if not path.is_symlink():
                        stack.append(path)
                elif path.is_file():
                    found.append(path)
        return found

    def source_hash(self, pages):
        """Changes when any of the post's files or its bundle's resources change."""
        digest = hashlib.sha256()
        files = set()
        for page in pages:
            files.add(page.file)
            files.update(self.resources(page))
        for path in sorted(files):
            digest.update(str(path.relative_to(self.root)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()

    # Old addresses.

    def hugo_path(self, page):
        """The page's address on the Hugo site, without a language prefix."""
        url = page.meta.get("url")
        if url:
            # Hugo publishes `url` as written: no language prefix, no .html for uglyURLs; a
            # path without an extension is a folder.
            path = re.sub(r"/{2,}", "/", "/" + str(url).strip().lstrip("/").replace(" ", "-"))
            if "." not in path.rsplit("/", 1)[-1]:
                path = path.rstrip("/") + "/"
            return path
        pattern = self.config.permalinks.get(page.section)
        slug = page.hugo_slug()
        if pattern:
            path = self.expand_permalink(pattern, page, slug)
        else:
            path = "/" + "/".join([*page.dirs, slug or page.basename]) + "/"
        return self.finish_path(path)

    def finish_path(self, path, keep_case=False):
        path = re.sub(r"/{2,}", "/", path.replace(" ", "-"))
        if self.config.lower_paths and not keep_case:
            path = path.lower()
        if self.config.ugly_urls and path.endswith("/") and path != "/":
            path = path.rstrip("/") + ".html"
        return path

    def expand_permalink(self, pattern, page, slug):
        when = page.date("date", self.config.time_zone) or page.date(
            "publishdate", self.config.time_zone
        )
        title = page.title()
        values = {
            "section": page.section,
            "sections": "/".join(page.dirs),
            "title": urlize(title),
            "slug": urlize(slug or title),
            "slugorfilename": slug or page.basename,
            "slugorcontentbasename": slug or page.basename,
            "filename": page.basename,
            "contentbasename": page.basename,
        }
        if when:
            values.update(
                year=f"{when.year:04d}",
                month=f"{when.month:02d}",
                monthname=when.strftime("%B").lower(),
                day=f"{when.day:02d}",
                weekday=str(when.isoweekday() % 7),
                weekdayname=when.strftime("%A").lower(),
                yearday=f"{when.timetuple().tm_yday:03d}",
            )

        def token(match):
            return values.get(match.group(1), match.group(0))

        path = re.sub(r":(\w+)", token, pattern)
        return "/" + path.strip("/") + "/"

    def old_paths(self, page):
        """Every address the page answered on, as Hugo computed it first, then the other
        spelling of each (with or without the language prefix) that links may still use."""
        return list(dict.fromkeys(self.exact_paths(page) + self.loose_paths(page)))

    def exact_paths(self, page):
        """Its permalink (with its language's prefix) and its aliases, as Hugo wrote them."""
        own = self.hugo_path(page)
        paths = [own if page.meta.get("url") else self.language_prefix(page.language) + own]
        for alias in as_list(page.meta.get("aliases")):
            alias = str(alias)
            if not alias.startswith("/"):
                alias = urljoin(own if own.endswith("/") else own + "/", "../" + alias)
            alias = normpath(alias)
            if "." not in alias.rsplit("/", 1)[-1]:
                alias += "/"  # Hugo serves an alias as a folder with an index.html
            paths.append(self.finish_path(alias))
        return list(dict.fromkeys(paths))

    def loose_paths(self, page):
        prefix = f"/{page.language}"
        return [
            path.removeprefix(prefix) if path.startswith(prefix + "/") else prefix + path
            for path in self.exact_paths(page)
        ]


def urlize(text):
    return slugify(str(text), allow_unicode=True)


def as_list(value):
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [item for item in value if item not in (None, "")]
    return [value]


def ref_keys(page):
    """The spellings a ref/relref or a relative .md link may use for this page."""
    rel = PurePosixPath(page.rel)
    stem = rel.parent / page.basename if page.bundle is None else rel.parent
    keys = {str(stem), str(rel), str(rel.with_suffix(""))}
    if page.bundle is not None:
        keys.add(str(rel.parent / "index.md"))
    return {key.strip("/") for key in keys}
