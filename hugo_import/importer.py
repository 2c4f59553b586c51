"""Import a Hugo site into the blog: one transaction and one revision per post."""

import hashlib
import math
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from posixpath import normpath
from urllib.parse import unquote, urljoin, urlsplit

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from modeltranslation.utils import build_localized_fieldname as localized

from articles.models import Article, Author, Tag
from articles.uploads import ImageUploadForm
from hugo_import.convert import BodyConverter, first_paragraph
from hugo_import.middleware import candidate_paths
from hugo_import.models import ImportedPost, OldAddress
from hugo_import.report import Report
from hugo_import.site import PageError, as_list, ref_keys
from series.models import Series, SeriesPart
from sitewide.images import check_image

ENGLISH = settings.LANGUAGE_CODE
LANGUAGES = [code for code, _name in settings.LANGUAGES]
MAPPED_KEYS = {
    "title", "slug", "date", "publishdate", "lastmod", "draft", "summary", "description",
    "tags", "categories", "series", "author", "authors", "cover", "aliases", "translationkey",
    "weight", "url", "expirydate", "build", "headless",
}  # fmt: skip
COVER_KEYS = {"image", "alt", "caption", "relative", "hidden", "hiddeninlist", "hiddeninsingle"}
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
    return slugify(str(text))[:length].strip("-")


def max_length(model, field):
    return model._meta.get_field(field).max_length


@dataclass
class Post:
    """One article to be: its pages by language, sharing one translation key."""

    key: str
    pages: dict
    slug: str = ""
    imported: ImportedPost | None = None
    order: tuple = ()
    old_paths: dict = field(default_factory=dict)  # path → language

    @property
    def english(self):
        return self.pages[ENGLISH]


class PostTooSlowError(PageError):
    """The post took longer than its time budget: a hostile or pathological source."""


class Importer:
    def __init__(self, site, dry_run=False, time_budget=30, clock=time.monotonic):
        self.site = site
        self.dry_run = dry_run
        self.time_budget = time_budget
        self.clock = clock
        self.deadline = math.inf
        self.report = Report(dry_run=dry_run)
        self.images = {}
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
        for path, why in self.site.refused:
            self.report.warn("not read", path, why)
        posts = self.group()
        self.plan_slugs(posts)
        self.index(posts)
        for post in posts:
            self.import_post(post)
        self.order_series()
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
            if ENGLISH not in pages:
                for page in pages.values():
                    self.report.skip(
                        page.source,
                        "no English edition: the blog's articles are written in English first",
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
        weight = english.meta.get("weight") or 0
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
            for path in self.site.old_paths(page):
                post.old_paths.setdefault(path, language)

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

    def find_file(self, page, src):
        """The file an image address means: beside the page (bundles) or in static/."""
        path = unquote(src.partition("?")[0].partition("#")[0])
        if path.startswith("/"):
            candidates = [self.site.config.static_dir / path.lstrip("/")]
        else:
            candidates = [page.folder / path, self.site.config.static_dir / path]
        root = self.site.root.resolve()
        for candidate in candidates:
            resolved = candidate.resolve()
            # Never read outside the Hugo site, whatever ../ the Markdown holds.
            if resolved.is_relative_to(root) and resolved.is_file():
                return resolved
        return None

    def image_url(self, page, src, line):
        if is_remote(src) or src.startswith(settings.MEDIA_URL):
            return src
        file = self.find_file(page, src)
        if file is None:
            self.warn(
                "missing image", f"{src} is not in the bundle or static/", page=page, line=line
            )
            return src
        if file not in self.images:
            self.images[file] = self.store_image(file, page, line)
        return self.images[file] or src

    def store_image(self, file, page, line):
        # The editor's own upload form: the same checks, storage and naming as a dropped image.
        try:
            upload = read_upload(file)
        except ValidationError as error:
            self.warn(
                "image refused", f"{file.name}: {'; '.join(error.messages)}", page=page, line=line
            )
            return None
        form = ImageUploadForm(files={"image": upload})
        if not form.is_valid():
            errors = "; ".join(str(message) for message in form.errors.get("image", form.errors))
            self.warn("image refused", f"{file.name}: {errors}", page=page, line=line)
            return None
        self.report.images += 1
        if self.dry_run:
            return f"{settings.MEDIA_URL}{settings.MARKDOWNX_MEDIA_PATH}{file.name}"
        return form.save()

    # Writing.

    def import_post(self, post):
        english = post.english
        self.current_page = english
        source_hash = self.site.source_hash(post.pages.values())
        if post.imported and post.imported.source_hash == source_hash:
            self.report.unchanged.append(english.source)
            return
        self.deadline = self.clock() + self.time_budget
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
        article.clean_fields()
        article.save()
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
        summary = str(page.meta.get("summary") or page.meta.get("description") or "").strip()
        summary = summary or converter.summary or first_paragraph(body)
        return page.title(), summary, body

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
        names = [
            str(name.get("name", "") if isinstance(name, dict) else name)
            for name in as_list(page.meta.get("authors") or page.meta.get("author"))
        ]
        names = [name.strip() for name in names if name.strip()]
        names = names or [self.site.config.default_author.strip()]
        names = [name for name in names if name]
        if not names:
            raise PageError("no author: set author in the front matter or params.author")
        if len(names) > 1:
            self.warn(
                "more than one author",
                f"an article has one author: {names[0]} kept, {', '.join(names[1:])} not",
            )
        name = names[0]
        slug = ascii_slug(name, max_length(Author, "slug")) or (
            "author-" + hashlib.sha256(name.encode()).hexdigest()[:8]
        )
        author = Author.objects.filter(Q(name__iexact=name) | Q(slug=slug)).first()
        if author is None:
            author = Author.objects.create(name=name[:120], slug=slug)
            self.report.authors_created.append(name)
        return author

    def set_cover(self, article, post):
        english = post.english
        cover = english.meta.get("cover") or {}
        if isinstance(cover, str):
            cover = {"image": cover}
        if not isinstance(cover, dict):
            cover = {}
        unknown = sorted(set(cover) - COVER_KEYS)
        if unknown:
            self.warn(
                "unknown front-matter key",
                "not imported: " + ", ".join(f"cover.{key}" for key in unknown),
            )
        src = str(cover.get("image") or "")
        if not src:
            return  # a cover an editor added in the admin stays
        if is_remote(src):
            self.warn("remote image", f"cover {src} is on another site; not downloaded")
            return
        file = self.find_file(english, src)
        if file is None:
            self.warn("missing image", f"cover {src} is not in the bundle or static/")
            return
        try:
            upload = read_upload(file)
            check_image(upload)
        except ValidationError as error:
            self.warn("image refused", f"cover {file.name}: {'; '.join(error.messages)}")
            return
        self.report.images += 1
        if not self.dry_run:
            article.cover_image = upload
        for language in LANGUAGES:
            page = post.pages.get(language)
            page_cover = (page.meta.get("cover") if page else None) or {}
            page_cover = page_cover if isinstance(page_cover, dict) else {}
            alt = str(page_cover.get("alt") or page_cover.get("caption") or "")
            if language == ENGLISH and not alt:
                self.warn("image without description", "the cover has no alt; the title is used")
                alt = english.title()
            if page_cover.get("alt") and page_cover.get("caption"):
                self.warn(
                    "not imported", "cover.caption: the blog shows no cover caption", page=page
                )
            setattr(article, localized("cover_alt", language), alt[:200])

    def tags(self, page):
        tags = []
        for name in as_list(page.meta.get("tags")) + as_list(page.meta.get("categories")):
            name = str(name).strip()
            slug = ascii_slug(name, max_length(Tag, "slug"))
            if not slug:
                self.warn("tag skipped", f"{name!r} cannot be given a web address")
                continue
            tag, created = Tag.objects.get_or_create(
                slug=slug, defaults={"name_en": name[: max_length(Tag, "name")]}
            )
            if created:
                self.report.tags_created.append(name)
            if tag not in tags:
                tags.append(tag)
        return tags

    def name_tags_in_translations(self, tags, post):
        """A translation's tags, listed in the same order, name the same tags in its language."""
        for language, page in post.pages.items():
            if language == ENGLISH:
                continue
            names = as_list(page.meta.get("tags")) + as_list(page.meta.get("categories"))
            names = [str(name).strip() for name in names]
            if len(names) != len(tags):
                continue  # not the same list: nothing to pair safely
            field = localized("name", language)
            for tag, name in zip(tags, names, strict=True):
                if name and name != tag.name_en and not getattr(tag, field):
                    setattr(tag, field, name[: max_length(Tag, "name")])
                    tag.save(update_fields=[field])

    def place_in_series(self, article, post):
        english = post.english
        names = [str(name).strip() for name in as_list(english.meta.get("series"))]
        names = [name for name in names if name]
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
        title = names[0][: max_length(Series, "title")]
        series, created = Series.objects.get_or_create(slug=slug, defaults={"title_en": title})
        if created:
            self.report.series_created.append(names[0])
        russian = post.pages.get("ru")
        russian_names = as_list(russian.meta.get("series")) if russian else []
        if russian_names and not series.title_ru and str(russian_names[0]) != names[0]:
            series.title_ru = str(russian_names[0])[: max_length(Series, "title")]
            series.save()
        if part is None or part.series_id != series.pk:
            if part:
                part.delete()
            last = series.parts.aggregate(last=Max("position"))["last"] or 0
            SeriesPart.objects.create(series=series, article=article, position=last + 1)
        self.touched_series.add(series.pk)

    def set_old_addresses(self, article, post):
        kept = {}
        for path, language in post.old_paths.items():
            if len(path) > max_length(OldAddress, "path"):
                self.warn("address too long", f"{path[:80]}… is not redirected")
                continue
            with translation.override(language):
                if path == article.get_absolute_url():
                    continue  # the new address itself: a redirect would loop
            kept[path] = language
        claimed = dict(
            OldAddress.objects.filter(path__in=kept)
            .exclude(article=article)
            .values_list("path", "article__slug")
        )
        for path, slug in claimed.items():
            self.warn("duplicate old address", f"{path} already leads to {slug}; not redirected")
            del kept[path]
        article.old_addresses.exclude(path__in=kept).delete()
        have = dict(article.old_addresses.values_list("path", "language"))
        for path, language in kept.items():
            if path in have and have[path] != language:
                article.old_addresses.filter(path=path).update(language=language)
        OldAddress.objects.bulk_create(
            OldAddress(path=path, article=article, language=language)
            for path, language in kept.items()
            if path not in have
        )
        self.report.redirects += len(kept)

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


def import_site(site, dry_run=False, **options):
    return Importer(site, dry_run=dry_run, **options).run()
