"""Import a Hugo site into the blog: one transaction and one revision per post."""

import hashlib
import math
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from posixpath import normpath
from urllib.parse import unquote, urljoin, urlsplit

import reversion
from anyascii import anyascii
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.images import get_image_dimensions
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from modeltranslation.utils import build_localized_fieldname as localized

from articles.models import Article, Author, Redirect, Tag
from articles.uploads import ImageUploadForm
from hugo_import.addresses import candidate_paths, taken_by_site
from hugo_import.convert import (
    BodyConverter,
    is_plain,
    leading_prose,
    lines_of,
    plain_text,
    same_text,
    without_lines,
)
from hugo_import.lists import ListAddresses
from hugo_import.models import ImportedPost
from hugo_import.report import Report
from hugo_import.site import PageError, as_list, person_names, ref_keys
from series.models import Series, SeriesPart
from sitewide.images import check_image, content_addressed_storage, content_name, stripped

ENGLISH = settings.LANGUAGE_CODE
# Whether an article may be written in one language only, English not required.
ONE_LANGUAGE_ARTICLES = Article._meta.get_field("title").blank
LANGUAGES = [code for code, _name in settings.LANGUAGES]
MAPPED_KEYS = {
    "title", "slug", "date", "publishdate", "lastmod", "draft", "summary", "description",
    "tags", "categories", "series", "author", "authors", "cover", "aliases", "translationkey",
    "weight", "url", "expirydate", "build", "headless", "featured_image", "featuredimage",
    "featureimage", "image", "images", "thumbnail", "banner", "imagealt",
}  # fmt: skip
COVER_KEYS = {
    "image", "src", "url", "alt", "caption", "relative", "hidden", "hiddeninlist",
    "hiddeninsingle",
}  # fmt: skip
# Front-matter keys themes read a cover from, first found wins.
COVER_IMAGE_KEYS = [
    "featured_image", "featuredimage", "featureimage", "image", "images", "thumbnail", "banner",
]  # fmt: skip
UNDATED = datetime.max.replace(tzinfo=timezone.get_fixed_timezone(0))
SLUG_LENGTH = Article._meta.get_field("slug").max_length - 10


def is_true(value):
    return value is True or str(value).strip().lower() in {"true", "yes", "1"}


def is_remote(address):
    return bool(urlsplit(address).scheme) or address.startswith(("//", "#", "mailto:"))


def read_upload(path):
    """The file as an upload, refused by the upload checks before a huge file is read."""
    with path.open("rb") as opened:
        if path.stat().st_size > settings.IMAGE_UPLOAD_MAX_BYTES:
            check_image(File(opened, name=path.name))  # raises the upload's "too big" error
        return SimpleUploadedFile(path.name, opened.read())


def ascii_slug(text, length=SLUG_LENGTH):
    # Transliterated: «Базы данных» is bazy-dannykh, not an empty slug.
    return slugify(anyascii(str(text)))[:length].strip("-")


def max_length(model, field):
    return model._meta.get_field(field).max_length


def imported_addresses():
    """The redirects the importer owns: old paths, never the old slugs Article.save keeps."""
    return Redirect.objects.filter(path__isnull=False)


@dataclass
class Post:
    """One article to be: its pages by language, sharing one translation key."""

    key: str
    pages: dict
    slug: str = ""
    imported: ImportedPost | None = None
    order: tuple = ()
    old_paths: dict = field(default_factory=dict)  # path → language, as Hugo served them
    loose_paths: dict = field(default_factory=dict)  # the other spelling of each

    @property
    def english(self):
        """The page the article is made from: the English one, else the site's first
        language that this post has (a post written in Russian only)."""
        if ENGLISH in self.pages:
            return self.pages[ENGLISH]
        return next(self.pages[code] for code in LANGUAGES if code in self.pages)


class PostTooSlowError(PageError):
    """The post took longer than its time budget: a hostile or pathological source."""


class Importer:
    def __init__(self, site, dry_run=False, author=None, time_budget=30, clock=time.monotonic):
        self.site = site
        self.author_name = " ".join((author or "").split())
        self.fallback = None  # (name, user, where it came from) for posts naming no author
        self.dry_run = dry_run
        self.time_budget = time_budget
        self.clock = clock
        self.deadline = math.inf
        self.report = Report(dry_run=dry_run)
        self.images = {}  # file → its URL here, once a post that uses it is imported
        self.post_images, self.post_image_count = {}, 0
        self.by_ref = {}
        self.by_old_path = {}
        self.posts = {}
        self.touched_series = set()
        self.current_page = None

    def run(self):
        if self.dry_run:
            # Everything happens, so the counts are true, and then nothing is kept.
            with transaction.atomic():
                self.import_all()
                transaction.set_rollback(True)
        else:
            self.import_all()
        return self.report

    def import_all(self):
        self.report.notes.extend(self.site.notes)
        for path, why in self.site.refused:
            self.report.warn("not read", path, why)
        posts = self.group()
        self.plan_slugs(posts)
        self.index(posts)
        for post in posts:
            self.import_post(post)
        self.order_series()
        self.set_list_addresses(posts)
        self.note_removed_sources(posts)

    def check_time(self):
        if self.clock() > self.deadline:
            raise PostTooSlowError(
                f"took longer than its {self.time_budget} s budget; "
                "split it or simplify what it nests"
            )

    def warn(self, kind, message, page=None, line=None):
        page = page or self.current_page
        self.report.warn(kind, page.source if page else self.site.root, message, line=line)

    # Reading.

    def group(self):
        for page, reason in self.site.broken:
            self.report.skip(page.source, reason)
        groups = {}
        for page in self.site.pages:
            if page.language not in LANGUAGES:
                self.warn(
                    "unsupported language",
                    f"{page.language!r} is not a language of the "
                    f"blog ({', '.join(LANGUAGES)}); page skipped",
                    page=page,
                )
                continue
            pages = groups.setdefault(page.group_key, {})
            if page.language in pages:
                self.warn(
                    "duplicate translation",
                    f"{pages[page.language].source} is already the "
                    f"{page.language} edition of {page.group_key}; page skipped",
                    page=page,
                )
                continue
            pages[page.language] = page
        posts = []
        for key, pages in sorted(groups.items()):
            if ENGLISH not in pages and not ONE_LANGUAGE_ARTICLES:
                for page in pages.values():
                    self.report.skip(
                        page.source,
                        "waits: no English edition, and this blog cannot yet hold an article "
                        "in one language only (issue «An article in one language»); a later "
                        "run imports it",
                    )
                continue
            if len(key) > max_length(ImportedPost, "source_key"):
                key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
            post = Post(key=key, pages=pages)
            try:
                self.read_post(post)
            except PageError as error:
                self.report.skip(post.english.source, str(error))
                continue
            posts.append(post)
        return posts

    def read_post(self, post):
        english = post.english
        if english.is_headless:
            raise PageError("headless: Hugo does not publish this page")
        zone = self.site.config.time_zone
        weight = english.meta.get("weight") or series_number(english.meta.get("series")) or 0
        try:
            weight = int(weight)
        except (TypeError, ValueError) as error:
            raise PageError(f"weight is not a number: {weight!r}") from error
        when = english.date("publishdate", zone) or english.date("date", zone) or UNDATED
        # Series parts: by weight (Hugo's 0 means none), then by date.
        post.order = (weight if weight > 0 else math.inf, when, english.rel)
        for language, page in list(post.pages.items()):
            if (
                language != ENGLISH
                and is_true(page.meta.get("draft"))
                and not is_true(english.meta.get("draft"))
            ):
                self.warn(
                    "draft translation", "this translation is a draft; not imported", page=page
                )
                del post.pages[language]
                continue
            for path in self.site.exact_paths(page):
                post.old_paths.setdefault(path, language)
            for path in self.site.loose_paths(page):
                post.loose_paths.setdefault(path, language)

    def plan_slugs(self, posts):
        imported = {row.source_key: row for row in ImportedPost.objects.select_related("article")}
        taken = set()
        for post in posts:
            post.imported = imported.get(post.key)
            if post.imported:
                post.slug = post.imported.article.slug
                taken.add(post.slug)
        for post in posts:
            if post.imported:
                continue
            english = post.english
            wanted = (
                ascii_slug(english.hugo_slug() or english.basename)
                or ascii_slug(english.title())
                or "post"
            )
            slug, number = wanted, 2
            while slug in taken or Article.objects.filter(slug=slug).exists():
                slug, number = f"{wanted}-{number}", number + 1
            if slug != wanted:
                self.warn(
                    "duplicate slug", f"{wanted!r} is taken; imported as {slug!r}", page=english
                )
            taken.add(slug)
            post.slug = slug

    def index(self, posts):
        """Where every page lives now, by its source path and by its old address."""
        for post in posts:
            self.posts[post.key] = post
            for page in post.pages.values():
                for key in ref_keys(page):
                    self.by_ref.setdefault(key, post.key)
                self.by_ref.setdefault(f"name:{page.basename}", post.key)
            for path, language in post.old_paths.items():
                self.by_old_path.setdefault(path, (post.key, language))
        # Addresses Hugo really served come first; another spelling never takes one over.
        for post in posts:
            for path, language in post.loose_paths.items():
                self.by_old_path.setdefault(path, (post.key, language))

    # Where links and images point now.

    def new_url(self, post, language):
        with translation.override(language):
            return reverse("articles:detail", kwargs={"slug": post.slug})

    def ref_url(self, page, target, language=None):
        path, _hash, anchor = str(target).partition("#")
        suffix = f"#{anchor}" if anchor else ""
        if not path:
            return suffix or None
        clean = path.strip("/")
        for extension in (".md", ".markdown"):
            clean = clean.removesuffix(extension)
        clean = clean.removesuffix("/index").removesuffix("/_index")
        name = PurePosixPath(clean).name
        stem, _dot, lang = name.rpartition(".")
        if stem and lang in self.site.config.content_dirs:
            clean, language = clean.removesuffix(f".{lang}"), language or lang
        here = PurePosixPath(page.rel).parent
        candidates = [clean, normpath(str(here / clean)).strip("/")]
        if page.bundle is not None:
            candidates.append(normpath(str(here.parent / clean)).strip("/"))
        candidates.append(f"name:{PurePosixPath(clean).name}")
        for candidate in candidates:
            key = self.by_ref.get(candidate)
            if key:
                return self.new_url(self.posts[key], language or page.language) + suffix
        return None

    def link_url(self, page, href, line):
        if is_remote(href):
            return href
        path = href.partition("#")[0].partition("?")[0]
        if path.endswith((".md", ".markdown")):
            url = self.ref_url(page, href, page.language)
            if url is None:
                self.warn("broken link", f"{href} matches no imported post", page=page, line=line)
                return href
            return url
        here = self.site.hugo_path(page)
        anchor = href[len(path) :]
        target = unquote(urljoin(here, path))
        prefix = target.split("/")[1] if target.count("/") > 1 else ""
        # A link that names its language keeps it; otherwise it stays in the page's language.
        language = prefix if prefix in LANGUAGES else page.language
        for candidate in candidate_paths(target):
            found = self.by_old_path.get(candidate)
            if found:
                return self.new_url(self.posts[found[0]], language) + anchor
        return href

    def find_file(self, page, src, assets=False):
        """The file an image address means, wherever Hugo would have found it: beside the page
        (a bundle's resources, or a folder such as post_files/ next to a page), in static/,
        in the content folders (Hugo publishes their other files where they lie), or for a
        theme's cover in assets/."""
        path = unquote(src.partition("?")[0].partition("#")[0])
        if not path:
            return None
        config = self.site.config
        published = [*config.static_dirs, *self.site.content_roots()]
        if path.startswith("/"):
            served = [path]
            if config.base_path and path.startswith(config.base_path + "/"):
                served.append(path.removeprefix(config.base_path))
            candidates = [root / url.lstrip("/") for url in served for root in published]
        else:
            served = urljoin(self.site.hugo_path(page), path)
            candidates = [
                page.folder / path,
                page.file.parent / path,
                *(root / served.lstrip("/") for root in published),
                *(root / path for root in config.static_dirs),
            ]
        if assets and config.assets_dir is not None:
            candidates.append(config.assets_dir / path.lstrip("/"))
        for candidate in candidates:
            # Never read outside the Hugo site, whatever ../ or link the source holds.
            resolved = self.site.boundary.resolve(candidate)
            if resolved is not None and resolved.is_file():
                return resolved
        return None

    def image_url(self, page, src, line):
        """The image's address here; None when there is no file to show (missing, or refused
        by the upload checks), which the report says."""
        if is_remote(src) or src.startswith(settings.MEDIA_URL):
            return src
        file = self.find_file(page, src)
        if file is None:
            self.warn(
                "missing image",
                f"{src} is not beside the page, in static/ or in content/",
                page=page,
                line=line,
            )
            return None
        if file in self.images:
            return self.images[file]
        if file not in self.post_images:
            self.post_images[file] = self.store_image(file, page, line)
        return self.post_images[file]

    def checked_upload(self, file, page=None, line=None, what=""):
        """The file as an upload that passed the editor's own checks, or None (reported)."""
        try:
            upload = read_upload(file)
        except ValidationError as error:
            message = "; ".join(error.messages)
        else:
            form = ImageUploadForm(files={"image": upload})
            if form.is_valid():
                return upload
            message = "; ".join(str(item) for item in form.errors.get("image", form.errors))
        self.warn("image refused", f"{what}{file.name}: {message}", page=page, line=line)
        return None

    def store_image(self, file, page, line):
        upload = self.checked_upload(file, page, line)
        if upload is None:
            return None
        name = self.keep_file(settings.MARKDOWNX_MEDIA_PATH.rstrip("/"), upload)
        return content_addressed_storage().url(name)

    def keep_file(self, folder, upload):
        """The name the image is stored under (by its content, as the editor's uploads are).
        It is written when the post's transaction commits: a post that fails or a dry run
        leaves no file behind."""
        content = stripped(upload)
        name = content_name(folder, content)
        self.post_image_count += 1
        if not self.dry_run:
            storage = content_addressed_storage()

            def write():
                if not storage.exists(name):
                    # The base save: the content is stripped already and named by it.
                    FileSystemStorage.save(storage, name, content)

            transaction.on_commit(write)
        return name

    # Writing.

    def import_post(self, post):
        english = post.english
        self.current_page = english
        source_hash = self.site.source_hash(post.pages.values())
        if post.imported and post.imported.source_hash == source_hash:
            self.report.unchanged.append(english.source)
            return
        self.deadline = self.clock() + self.time_budget
        self.post_images, self.post_image_count = {}, 0
        try:
            with transaction.atomic(), reversion.create_revision():
                article = self.write(post, source_hash)
                reversion.set_comment(f"Imported from Hugo: {english.source}")
        except (PageError, ValidationError, DatabaseError, OSError, ValueError) as error:
            message = "; ".join(error.messages) if isinstance(error, ValidationError) else error
            self.report.skip(english.source, f"not imported: {message}")
            return
        except (RecursionError, MemoryError, LookupError, TypeError, AttributeError) as error:
            # A source no rule above foresaw must cost its own post, never the whole run.
            self.report.skip(english.source, f"not imported: {type(error).__name__}: {error}")
            return
        finally:
            self.current_page = None
            self.deadline = math.inf
        self.images.update(self.post_images)
        self.report.images += self.post_image_count
        (self.report.updated if post.imported else self.report.created).append(english.source)
        if not post.imported:
            post.imported = article.hugo_source

    def write(self, post, source_hash):
        english = post.english
        article = post.imported.article if post.imported else Article(slug=post.slug)
        for page in post.pages.values():
            unknown = [page.keys[key] for key in sorted(set(page.meta) - MAPPED_KEYS)]
            if unknown:
                self.warn(
                    "unknown front-matter key", "not imported: " + ", ".join(unknown), page=page
                )
        for language in LANGUAGES:
            page = post.pages.get(language)
            self.current_page = page or english
            title, summary, body = self.texts(page) if page else ("", "", "")
            setattr(article, localized("title", language), title)
            setattr(article, localized("summary", language), summary)
            setattr(article, localized("body", language), body)
        self.current_page = english
        self.set_publishing(article, english)
        article.author = self.author(english)
        self.set_cover(article, post)
        # The cover passed the editor's checks in set_cover, and its file is written on commit:
        # cleaning it again would make Django read its size from a file not stored yet.
        article.clean_fields(exclude=["cover_image"])
        article.save()
        for language, page in post.pages.items():
            body = getattr(article, localized("body", language))
            self.report_not_shown(page, body, article.render_warnings.get(language, ()))
        tags = self.tags(english)
        self.name_tags_in_translations(tags, post)
        article.tags.set(tags)
        self.place_in_series(article, post)
        self.set_old_addresses(article, post)
        ImportedPost.objects.update_or_create(
            article=article,
            defaults={
                "source_key": post.key,
                "source_path": english.source[: max_length(ImportedPost, "source_path")],
                "source_hash": source_hash,
                "lastmod": english.date("lastmod", self.site.config.time_zone),
            },
        )
        return article

    def texts(self, page):
        converter = BodyConverter(page, self, self.warn, self.check_time)
        body = converter.convert(page.body)
        written = str(page.meta.get("summary") or page.meta.get("description") or "").strip()
        written = written or converter.summary
        summary, body = self.summary_and_body(page, written, body)
        return page.title(), summary, body

    def report_not_shown(self, page, body, warnings):
        """What the renderer's sanitizer will not show (raw HTML, SVG, a broken formula), each
        with its line in the source file: the warnings of the article's own render on save,
        so that a post's body is rendered once."""
        lines = body.split("\n")
        for warning in warnings:
            number = warning.line - 1
            line = lines[number] if 0 <= number < len(lines) else ""
            where = self.source_line(page, line) if line.strip() else None
            self.warn("not shown", str(warning.message), page=page, line=where)

    def summary_and_body(self, page, written, body):
        """The article shows its summary as the lede above the body, where Hugo showed it on
        lists only: a summary that is the first paragraph must not appear twice."""
        blocks = leading_prose(body)
        if not written:
            if not blocks:
                return "", body
            first, last = blocks[0]
            paragraph = lines_of(body, first, last)
            if is_plain(paragraph):
                # Hugo's own summary, the first paragraph, becomes the lede instead.
                return plain_text(paragraph), without_lines(body, first, last)
            self.warn(
                "no summary",
                "none written, and the first paragraph has links or formatting a summary "
                "cannot keep: it stays in the body; write a summary in the admin",
                line=self.source_line(page, paragraph),
            )
            return "", body
        text = ""
        for count, (first, last) in enumerate(blocks[:5], start=1):
            text += " " + plain_text(lines_of(body, first, last))
            if same_text(text, written):
                covered = lines_of(body, blocks[0][0], last)
                line = self.source_line(page, covered)
                if all(is_plain(lines_of(body, *block)) for block in blocks[:count]):
                    self.warn(
                        "duplicated summary",
                        "the summary repeats the opening paragraph: shown once, as the lede",
                        line=line,
                    )
                    return written, without_lines(body, blocks[0][0], last)
                self.warn(
                    "duplicated summary",
                    "the summary repeats the opening paragraph, which has links or formatting: "
                    "both kept; shorten one in the admin",
                    line=line,
                )
                break
            if not same_text(written, text) and not " ".join(written.split()).casefold().startswith(
                " ".join(text.split()).casefold().rstrip(" .")
            ):
                break
        return written, body

    def source_line(self, page, markdown_text):
        """The line of the source file where converted text starts, when it can be found."""
        wanted = markdown_text.strip().split("\n")[0].strip()
        for number, line in enumerate(page.body.split("\n")):
            if line.strip() == wanted:
                return page.body_line + number
        return None

    def set_publishing(self, article, page):
        zone = self.site.config.time_zone
        published_at = page.date("publishdate", zone) or page.date("date", zone)
        expires = page.date("expirydate", zone)
        if is_true(page.meta.get("draft")):
            article.status = Article.Status.DRAFT
        elif expires and expires <= timezone.now():
            self.warn(
                "expired", "past its expiryDate, so Hugo no longer showed it: imported as a draft"
            )
            article.status = Article.Status.DRAFT
        else:
            article.status = Article.Status.PUBLISHED
            if published_at is None:
                self.warn("no date", "no date or publishDate: published at the time of import")
                published_at = article.published_at or timezone.now()
        article.published_at = published_at

    def author(self, page):
        names = person_names(page.meta.get("authors") or page.meta.get("author"))
        if not names:
            return self.site_author()
        if len(names) > 1:
            self.warn(
                "more than one author",
                f"an article has one author: {names[0]} kept, {', '.join(names[1:])} not",
            )
        return self.author_named(names[0])

    def author_named(self, name, user=None):
        slug = ascii_slug(name, max_length(Author, "slug")) or (
            "author-" + hashlib.sha256(name.encode()).hexdigest()[:8]
        )
        author = Author.objects.filter(Q(name__iexact=name) | Q(slug=slug)).first()
        if author is None:
            author = Author.objects.create(
                name=name[: max_length(Author, "name")], slug=slug, user=user
            )
            self.report.authors_created.append(name)
        return author

    def site_author(self):
        """Hugo never requires an author: the site's, the one named on the command line, or
        the blog's first staff member, said once in the report."""
        if self.fallback is None:
            self.fallback = self.choose_site_author()
        name, user, said = self.fallback
        # Looked up each time: a post that failed may have rolled back the row it created.
        author = self.author_named(name, user=user)
        note = f"Posts without an author of their own are by {author.name}, from {said}."
        if note not in self.report.notes:
            self.report.notes.append(note)
        return author

    def choose_site_author(self):
        if self.site.config.default_author:
            return self.site.config.default_author, None, "the site config's author"
        if self.author_name:
            return self.author_name, None, "--author"
        staff = (
            get_user_model()
            .objects.filter(is_staff=True, is_active=True)
            .order_by("-is_superuser", "date_joined", "pk")
            .first()
        )
        if staff is None:
            raise PageError("no author in the page or the site config; pass --author NAME")
        said = f"the first staff member ({staff.get_username()})"
        existing = Author.objects.filter(user=staff).first()
        if existing:
            return existing.name, staff, said
        # User names are e-mail addresses here: never publish one as a byline.
        return staff.get_full_name() or staff.get_username().partition("@")[0], staff, said

    def cover_source(self, page):
        """(address, where it was written, alt) of a page's cover in any theme's spelling."""
        cover = page.meta.get("cover")
        if isinstance(cover, str):
            cover = {"image": cover}
        if isinstance(cover, dict):
            unknown = sorted(set(cover) - COVER_KEYS)
            if unknown:
                self.warn(
                    "unknown front-matter key",
                    "not imported: " + ", ".join(f"cover.{key}" for key in unknown),
                    page=page,
                )
            for key in ("image", "src", "url"):
                if cover.get(key) and isinstance(cover[key], str):
                    alt = cover.get("alt") or cover.get("caption") or ""
                    return cover[key], f"cover.{key}", str(alt)
        for key in COVER_IMAGE_KEYS:
            values = [item for item in as_list(page.meta.get(key)) if isinstance(item, str)]
            if values:
                alt = page.meta.get("imagealt") or page.meta.get("alt") or ""
                return values[0], page.keys.get(key, key), str(alt)
        if page.bundle is not None:
            # Themes such as Wowchemy and Blowfish take featured.* or cover.* in the bundle.
            for path in self.site.resources(page):
                if path.parent == page.bundle and path.stem.lower() in {"featured", "cover"}:
                    return path.name, "the bundle's " + path.name, ""
        return None

    def set_cover(self, article, post):
        english = post.english
        found = self.cover_source(english)
        if found is None:
            return  # a cover an editor added in the admin stays
        src, where, _alt = found
        if is_remote(src):
            self.warn(
                "remote image",
                f"{where} {src} is on another site; not downloaded: save it beside the post "
                "and run the import again",
            )
            return
        file = self.find_file(english, src, assets=True)
        if file is None:
            self.warn(
                "missing image", f"{where} {src} is not beside the page, in static/ or assets/"
            )
            return
        upload = self.checked_upload(file, what=f"{where} ")
        if upload is None:
            return
        name = self.keep_file(article._meta.get_field("cover_image").upload_to.rstrip("/"), upload)
        if not self.dry_run:
            # The file is written when the post commits: its size is read from the upload now,
            # and the name set on the field's file, which (unlike assigning the field) does not
            # make Django read a file that is not stored yet.
            article.cover_width, article.cover_height = get_image_dimensions(upload)
            article.cover_image.name = name
        for language in LANGUAGES:
            page = post.pages.get(language)
            page_found = self.cover_source(page) if page and page is not english else found
            alt = page_found[2] if page_found else ""
            if page is english and not alt:
                self.warn("image without description", "the cover has no alt; the title is used")
                alt = english.title()
            page_cover = page.meta.get("cover") if page else None
            if isinstance(page_cover, dict) and page_cover.get("alt") and page_cover.get("caption"):
                self.warn(
                    "not imported", "cover.caption: the blog shows no cover caption", page=page
                )
            setattr(article, localized("cover_alt", language), alt[:200])

    def tags(self, page):
        name_field = localized("name", page.language)
        tags = []
        for name in as_list(page.meta.get("tags")) + as_list(page.meta.get("categories")):
            name = str(name).strip()
            slug = ascii_slug(name, max_length(Tag, "slug"))
            if not slug:
                self.warn("tag skipped", f"{name!r} cannot be given a web address")
                continue
            tag, created = Tag.objects.get_or_create(
                slug=slug, defaults={name_field: name[: max_length(Tag, "name")]}
            )
            if created:
                self.report.tags_created.append(name)
            if tag not in tags:
                tags.append(tag)
        return tags

    def name_tags_in_translations(self, tags, post):
        """A translation's tags, listed in the same order, name the same tags in its language."""
        english_name = localized("name", ENGLISH)
        for language, page in post.pages.items():
            if language == ENGLISH:
                continue
            names = as_list(page.meta.get("tags")) + as_list(page.meta.get("categories"))
            names = [str(name).strip() for name in names]
            if len(names) != len(tags):
                continue  # not the same list: nothing to pair safely
            field = localized("name", language)
            for tag, name in zip(tags, names, strict=True):
                if name and name != getattr(tag, english_name) and not getattr(tag, field):
                    setattr(tag, field, name[: max_length(Tag, "name")])
                    tag.save(update_fields=[field])

    def place_in_series(self, article, post):
        english = post.english
        names = series_names(english.meta.get("series"))
        part = SeriesPart.objects.filter(article=article).select_related("series").first()
        if not names:
            if part and post.imported:
                part.delete()  # the source no longer puts it in a series
            return
        if len(names) > 1:
            self.warn("more than one series", f"an article is in one series: {names[0]} kept")
        slug = ascii_slug(names[0], max_length(Series, "slug"))
        if not slug:
            self.warn("series skipped", f"{names[0]!r} cannot be given a web address")
            return
        title = names[0]
        if re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)+", title):
            # A term written as a slug (distributed-systems): Hugo's humanized title.
            title = re.sub(r"[-_]", " ", title).capitalize()
        title = title[: max_length(Series, "title")]
        series, created = Series.objects.get_or_create(
            slug=slug, defaults={localized("title", english.language): title}
        )
        if created:
            self.report.series_created.append(names[0])
        for page in post.pages.values():
            self.name_series_in(series, page, names[0])
        if part is None or part.series_id != series.pk:
            if part:
                part.delete()
            last = series.parts.aggregate(last=Max("position"))["last"] or 0
            SeriesPart.objects.create(series=series, article=article, position=last + 1)
        self.touched_series.add(series.pk)

    def name_series_in(self, series, page, name):
        """A translation's own name for the series, where the series has none in it yet."""
        names = series_names(page.meta.get("series"))
        field = localized("title", page.language)
        if names and names[0] != name and not getattr(series, field):
            setattr(series, field, names[0][: max_length(Series, "title")])
            series.save(update_fields=[field])

    def set_old_addresses(self, article, post):
        kept = {}
        exact = post.old_paths
        loose = {
            path: language
            for path, language in post.loose_paths.items()
            if path not in exact and self.by_old_path.get(path, (post.key,))[0] == post.key
        }
        for path, language in [*exact.items(), *loose.items()]:
            if len(path) > max_length(Redirect, "path"):
                if path in exact:
                    self.warn("address too long", f"{path[:80]}… is not redirected")
                continue
            with translation.override(language):
                if path == article.get_absolute_url():
                    continue  # the new address itself: a redirect would loop
            if taken_by_site(path):
                if path in exact:
                    self.warn(
                        "address of the site",
                        f"{path} is an address of this site (a page, a tag, a series, an "
                        "author or a fixed path); not redirected",
                    )
                continue
            kept[path] = language
        claimed = dict(
            imported_addresses()
            .filter(path__in=kept, article__isnull=False)
            .exclude(article=article)
            .values_list("path", "article__slug")
        )
        for path, slug in claimed.items():
            if path in exact:
                self.warn(
                    "duplicate old address", f"{path} already leads to {slug}; not redirected"
                )
            del kept[path]
        # An article's address outranks a list page's that an earlier run put there.
        imported_addresses().filter(path__in=kept, article__isnull=True).delete()
        # Its old paths only: the old slugs Article.save keeps are not the importer's.
        own = imported_addresses().filter(article=article)
        own.exclude(path__in=kept).delete()
        have = dict(own.values_list("path", "language"))
        for path, language in kept.items():
            if path in have and have[path] != language:
                own.filter(path=path).update(language=language)
        Redirect.objects.bulk_create(
            Redirect(path=path, article=article, language=language)
            for path, language in kept.items()
            if path not in have
        )
        self.report.redirects += len(kept)

    def set_list_addresses(self, posts):
        """Hugo's list pages and feeds, computed from the config and the published pages."""
        now = timezone.now()
        zone = self.site.config.time_zone
        # Hugo counted every published page in its lists, imported here or not.
        published = [
            page
            for page in self.site.pages
            if not is_true(page.meta.get("draft"))
            and not page.is_headless
            and self.is_due(page, now, zone)
        ]
        self.post_of_page, self.english_terms = {}, {}
        for post in posts:
            if post.imported is None:
                continue
            for page in post.pages.values():
                self.post_of_page[id(page)] = post.key
            english = post.pages.get(ENGLISH)
            for taxonomy in self.site.taxonomies(ENGLISH) if english else []:
                for name in english.terms(taxonomy):
                    self.english_terms.setdefault(taxonomy, {}).setdefault(name, set()).add(
                        post.key
                    )
        found = ListAddresses(self.site, self.term_slug).compute(published)
        rows = {
            item.path: item
            for item in found
            if len(item.path) <= max_length(Redirect, "path") and not taken_by_site(item.path)
        }
        with transaction.atomic():
            articles = set(
                imported_addresses()
                .filter(path__in=rows, article__isnull=False)
                .values_list("path", flat=True)
            )
            wanted = {path: item for path, item in rows.items() if path not in articles}
            have = {row.path: row for row in imported_addresses().filter(article__isnull=True)}
            Redirect.objects.filter(
                pk__in=[row.pk for path, row in have.items() if path not in wanted]
            ).delete()
            for path, item in wanted.items():
                row = have.get(path)
                values = {
                    "kind": item.kind,
                    "slug": item.slug[: max_length(Redirect, "slug")],
                    "first_item": item.first_item,
                    "language": item.language,
                }
                if row is None:
                    Redirect.objects.create(path=path, **values)
                elif any(getattr(row, key) != value for key, value in values.items()):
                    Redirect.objects.filter(pk=row.pk).update(**values)
        self.report.list_redirects = len(wanted)

    @staticmethod
    def is_due(page, now, zone):
        try:
            when = page.date("publishdate", zone) or page.date("date", zone)
            expires = page.date("expirydate", zone)
        except PageError:
            return False
        return (when is None or when <= now) and (expires is None or expires > now)

    def term_slug(self, taxonomy, name, language, pages):
        """The slug a Hugo term has here: tags and categories are tags, series are series.
        A translation's term (тюнинг) is the English term the same posts carry (tuning)."""
        if taxonomy == "series":
            model = Series
        elif taxonomy in {"author", "authors"}:
            model = Author
        else:
            model = Tag
        own = ascii_slug(name, max_length(model, "slug"))
        if language == ENGLISH:
            return own
        keys = {self.post_of_page[id(page)] for page in pages if id(page) in self.post_of_page}
        for english_name, english_keys in self.english_terms.get(taxonomy, {}).items():
            if english_keys == keys:
                return ascii_slug(english_name, max_length(model, "slug"))
        return own

    def note_removed_sources(self, posts):
        """Articles imported before whose post is gone from the source: left as they are."""
        present = {post.key for post in posts} | {
            page.group_key for page, _reason in self.site.broken
        }
        gone = ImportedPost.objects.exclude(source_key__in=present).select_related("article")
        for record in gone:
            self.report.warn(
                "source removed",
                record.source_path,
                f"no longer in the Hugo site; article {record.article.slug!r} left as it is",
            )

    def order_series(self):
        """Parts by weight, then date; renumbered only where the order is not already so."""
        order = {
            post.imported.article_id: post.order for post in self.posts.values() if post.imported
        }
        for series in Series.objects.filter(pk__in=self.touched_series):
            parts = list(series.parts.select_related("article").order_by("position"))
            wanted = sorted(
                parts,
                key=lambda part: order.get(
                    part.article_id,
                    (math.inf, part.article.published_at or UNDATED, str(part.position)),
                ),
            )
            if [part.pk for part in wanted] != [part.pk for part in parts] or [
                part.position for part in parts
            ] != list(range(1, len(parts) + 1)):
                series.renumber(wanted)


def series_names(value):
    """Series names from `series`: a name, a list, or a theme's table such as
    {name: distributed-systems, number: 1} (its number orders the parts, like weight)."""
    names = []
    for item in as_list(value):
        if isinstance(item, dict):
            item = item.get("name") or item.get("title") or item.get("id") or ""
        if isinstance(item, str | int | float) and str(item).strip():
            names.append(" ".join(str(item).split()))
    return names


def series_number(value):
    for item in as_list(value):
        if isinstance(item, dict):
            for key in ("number", "part", "weight", "order", "index"):
                try:
                    return int(item[key])
                except (KeyError, TypeError, ValueError):
                    continue
    return 0


def import_site(site, dry_run=False, **options):
    return Importer(site, dry_run=dry_run, **options).run()
