import difflib
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from modeltranslation.utils import build_localized_fieldname as localized

from articles import extensions
from articles.fields import LanguageCodesField
from articles.querysets import ArticleQuerySet
from articles.rendering import (
    IMAGE_WITHOUT_ALT,
    RENDERER_VERSION,
    excerpt,
    media_image_names,
    render_article_body,
)
from sitewide.changes import ChangeAnnouncing, address_keys, changed, list_keys
from sitewide.images import content_addressed_storage, make_renditions, srcset
from sitewide.languages import shown_language, shown_with, site_languages
from sitewide.renditions import make_body_renditions

# The English fields a Russian translation follows.
TRACKED_FIELDS = ("title", "summary", "body")
TRACKED_TEXT = [localized(field, lang) for field in TRACKED_FIELDS for lang in site_languages()]


def written_languages(instance, field):
    """The site languages `field` is filled in, in settings' order: where the thing exists."""
    return [code for code in site_languages() if getattr(instance, localized(field, code), None)]


# The code of require_one_language's error: the admin drops it beside a refused field.
ONE_LANGUAGE = "one_language"


def require_one_language(instance, field, message):
    """No language is required, but a thing with no name in any language is nothing."""
    if not written_languages(instance, field):
        raise ValidationError(
            {
                localized(field, code): ValidationError(message, code=ONE_LANGUAGE)
                for code in site_languages()
            }
        )


def validate_links(value):
    check = URLValidator(schemes=["http", "https"])
    for line in value.splitlines():
        if line.strip():
            check(line.strip())


def language_list(value):
    """Stored language codes as a list in settings' order; older revisions kept "en,ru"."""
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    chosen = set(value or ())
    return [code for code in site_languages() if code in chosen]


class Author(ChangeAnnouncing):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        verbose_name=_("user"),
        help_text=_("The admin account that writes as this author."),
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    bio = models.TextField(_("bio"), blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    links = models.TextField(
        _("links"),
        blank=True,
        validators=[validate_links],
        help_text=_("One URL per line: website, GitHub, Mastodon…"),
    )
    language = models.CharField(
        _("writes in"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language the writing desk starts in; empty: the admin's language."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})

    @property
    def link_list(self):
        """(label, url) pairs, the label being the host a reader recognises."""
        urls = [line.strip() for line in self.links.splitlines() if line.strip()]
        return [(urlsplit(url).netloc.removeprefix("www."), url) for url in urls]


class Tag(ChangeAnnouncing):
    name = models.CharField(_("name"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        # Its name is in the search entry of each of its articles (articles/search_index.py):
        # they are indexed again when it was renamed, not when an article joins or leaves it
        # (hundreds of articles per tag at 10,000: seconds that held a withdrawal back).
        names = ["name", *(localized("name", code) for code, _name in settings.LANGUAGES)]
        before = Tag.objects.filter(pk=self.pk).values(*names).first() if self.pk else None
        self._renamed = before is not None and any(
            before[name] != getattr(self, name) for name in names
        )
        super().save(*args, **kwargs)

    def change_keys(self):
        # The lists too: the tag lists kept for search name it (blogsite/search.py).
        keys = [f"tag:{self.pk}", *list_keys()]
        if getattr(self, "_renamed", False):
            keys.append(f"tag-name:{self.pk}")
        return keys

    def membership_keys(self):
        # An article joined or left it: its page and feed, and the lists that count it; not
        # the article pages that name the tag.
        return [f"tag-list:{self.pk}", *list_keys()]

    def clean(self):
        require_one_language(self, "name", _("Name the tag in at least one language."))


class Article(ChangeAnnouncing):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    class State(models.TextChoices):
        """What editors see: a published article is scheduled until its time comes."""

        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("Live")

    # Blank: an article may be written in one language only (clean() asks for one).
    title = models.CharField(_("title"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.TextField(
        _("answer-first summary"),
        blank=True,
        help_text=_("One or two sentences that answer the reader's question up front."),
    )
    body = MarkdownxField(_("body"), blank=True)
    cover_image = models.ImageField(
        _("cover image"),
        upload_to="covers/",
        storage=content_addressed_storage,
        blank=True,
        width_field="cover_width",
        height_field="cover_height",
    )
    # Django reads them from the file's header when a cover is set (nothing is drawn).
    cover_width = models.PositiveIntegerField(editable=False, null=True)
    cover_height = models.PositiveIntegerField(editable=False, null=True)
    # The cover whose renditions the worker has made; srcset is offered for that cover only.
    cover_renditions_of = models.CharField(max_length=100, blank=True, editable=False)
    cover_alt = models.CharField(_("cover image description"), max_length=200, blank=True)
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="articles", verbose_name=_("author")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("tags"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("A time in the future schedules the article."),
    )
    hidden_languages = LanguageCodesField(
        _("not listed in"),
        help_text=_("Languages whose listings, search and feeds leave this article out."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Part of every preview link: raising it revokes all links given out so far.
    preview_version = models.PositiveIntegerField(editable=False, default=0)

    # Translation drift: the English text the Russian translation follows, and since when
    # the English has moved on without it.
    english_updated_at = models.DateTimeField(_("English text updated"), null=True, editable=False)
    translation_source = models.TextField(editable=False, blank=True)
    translation_behind_since = models.DateTimeField(
        _("translation behind since"), null=True, editable=False
    )

    # An author's edit of their live article, waiting for an editor: readers keep seeing the
    # published text until an editor publishes these values ({field name: value}).
    pending_changes = models.JSONField(editable=False, null=True, blank=True)
    pending_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    pending_since = models.DateTimeField(_("changes waiting since"), null=True, editable=False)

    # Rendered on save, per language (translated by modeltranslation), never per request.
    body_html = models.TextField(editable=False, blank=True)
    toc_html = models.TextField(editable=False, blank=True)
    reading_minutes = models.PositiveSmallIntegerField(editable=False, default=0)
    # The articles.rendering.RENDERER_VERSION that made body_html: `rerender --if-outdated`
    # finds stored HTML an older renderer made.
    renderer_version = models.PositiveSmallIntegerField(editable=False, default=0)

    # search_<language>: see below the class.

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["status", "published_at"]),
            # Covers the live-and-listed filter without reading rows (search, counts): on
            # SQLite the language list sits behind the long texts of each row.
            models.Index(
                fields=["status", "published_at", "hidden_languages"], name="article_live_listed"
            ),
        ]
        permissions = [("publish_article", _("Can publish, schedule and unpublish articles"))]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.apply_defaults()
        self.hidden_languages = language_list(self.hidden_languages)
        self.render()
        with transaction.atomic():
            before = (
                Article.objects.filter(pk=self.pk)
                .only(
                    "slug",
                    "status",
                    "published_at",
                    "hidden_languages",
                    "author_id",
                    "preview_version",
                    *TRACKED_TEXT,
                )
                .first()
            )
            if before:
                # A form opened earlier, or a restored revision, must not revive revoked links.
                self.preview_version = max(self.preview_version, before.preview_version)
                if before.status == self.Status.PUBLISHED != self.status:
                    # Unpublished by any path (the change form too): links given out stop.
                    self.preview_version = before.preview_version + 1
            self.track_translation(before)
            self._lists_before = self.lists_state(before)
            super().save(*args, **kwargs)
            self.keep_slug_history(before)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def apply_defaults(self):
        """A published article without a time is published now."""
        if self.status == self.Status.PUBLISHED and not self.published_at:
            self.published_at = timezone.now()

    def keep_slug_history(self, before):
        if before and before.slug != self.slug and before.is_live:
            # The old address was public: keep it working.
            Redirect.objects.update_or_create(old_slug=before.slug, defaults={"article": self})
        # The current slug is served directly; a redirect from it would be a loop.
        self.redirects.filter(old_slug=self.slug).delete()

    # What decides which lists show the article: a change to any of them moves it in or out
    # of its tags', author's and series' pages and their articles' related reading.
    LIST_FIELDS = ("status", "published_at", "hidden_languages", "author_id", "slug")

    def lists_state(self, before):
        return tuple(getattr(before, name) for name in self.LIST_FIELDS) if before else None

    def change_keys(self):
        """Pages showing the article, the site-wide lists; and, when the article joins or
        leaves lists (created, deleted, published, unpublished, rescheduled, moved to another
        author), the lists of its author, tags and series too."""
        saved = getattr(self, "_lists_before", None)
        keys = [f"article:{self.pk}", *list_keys(), *address_keys(self.own_paths(saved))]
        if saved is not None and saved == self.lists_state(self):
            return keys
        before_author = saved[self.LIST_FIELDS.index("author_id")] if saved else None
        authors = {self.author_id, before_author} - {None}
        # The author's and tags' lists (`author-list:2`), not every page that names the author
        # or a tag (`author:2`: each of their articles), which still shows the same.
        keys += [f"author-list:{pk}" for pk in sorted(authors)]
        if self.pk:
            keys += [f"tag-list:{pk}" for pk in self.tags.values_list("pk", flat=True)]
            keys += extensions.change_keys(self)
        return keys

    def own_paths(self, saved=None):
        """The article's page in every edition, at its slug and at the one it had before.

        nginx keeps pages for an hour; the withdrawn or renamed article itself must leave it at
        once even when the cache has forgotten which addresses showed it.
        """
        slugs = {self.slug}
        if saved:
            slugs.add(saved[self.LIST_FIELDS.index("slug")])
        paths = []
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                paths += [reverse("articles:detail", kwargs={"slug": s}) for s in slugs if s]
        return sorted(paths)

    def delete(self, *args, **kwargs):
        self._lists_before = None  # leaves every list
        return super().delete(*args, **kwargs)

    def publish(self, at=None):
        """Publish now, or schedule for `at`; an article already live keeps its date.

        Returns whether anything changed.
        """
        if self.is_live:
            return False
        self.status = self.Status.PUBLISHED
        self.published_at = at or timezone.now()
        self.save()
        return True

    def unpublish(self):
        """Take a published or scheduled article back to draft; returns whether it was one."""
        if self.status != self.Status.PUBLISHED:
            return False
        self.status = self.Status.DRAFT
        self.published_at = None
        # A link shared before it went live must not open the draft again.
        self.preview_version += 1
        self.save()
        return True

    @classmethod
    def proposable_fields(cls):
        """What an author may change in their live article, through an editor."""
        translated = [
            localized(field, language)
            for field in ("title", "summary", "body", "cover_alt")
            for language, _name in settings.LANGUAGES
        ]
        return [*translated, "cover_image"]

    def propose_changes(self, changes, by):
        """Keep an author's edit aside; what readers see does not change."""
        self.pending_changes = {**(self.pending_changes or {}), **changes}
        self.pending_by = by
        self.pending_since = timezone.now()
        Article.objects.filter(pk=self.pk).update(
            pending_changes=self.pending_changes,
            pending_by=by,
            pending_since=self.pending_since,
        )

    def show_pending_changes(self):
        """This instance as its author last left it (for their form), unsaved."""
        for field, value in (self.pending_changes or {}).items():
            setattr(self, field, value)
        return self

    def publish_pending_changes(self):
        """An editor accepts the waiting edit: the live article becomes what the author wrote."""
        if not self.pending_changes:
            return False
        self.show_pending_changes()
        self.discard_pending_changes(save=False)
        self.save()
        return True

    def discard_pending_changes(self, save=True):
        self.pending_changes, self.pending_by, self.pending_since = None, None, None
        if save:
            Article.objects.filter(pk=self.pk).update(
                pending_changes=None, pending_by=None, pending_since=None
            )

    def pending_diff(self):
        """(field name, unified diff lines) of every waiting change against the live text."""
        diffs = []
        for field, value in (self.pending_changes or {}).items():
            live = getattr(self, field)
            live = live.name if field == "cover_image" else live
            lines = difflib.unified_diff(
                (live or "").splitlines(), (value or "").splitlines(), lineterm="", n=2
            )
            diffs.append((field, list(lines)[2:]))
        return diffs

    def clean(self):
        require_one_language(self, "title", _("Give the article a title in at least one language."))
        errors = {}
        for lang, _name in settings.LANGUAGES:
            body_field = localized("body", lang)
            if IMAGE_WITHOUT_ALT.search(getattr(self, body_field) or ""):
                errors[body_field] = _(
                    "Every image needs a description for screen readers: "
                    "![what the image shows](address)."
                )
        if errors:
            raise ValidationError(errors)
        languages = self.languages or [settings.LANGUAGE_CODE]
        if self.cover_image and not any(
            getattr(self, localized("cover_alt", code)) for code in languages
        ):
            raise ValidationError(
                {
                    localized("cover_alt", languages[0]): _(
                        "Describe the cover image for screen readers."
                    )
                }
            )

    def text_in(self, language):
        """Title, summary and body in one language, as one text to compare and diff."""
        return "\n\n".join(
            getattr(self, localized(field, language), None) or "" for field in TRACKED_FIELDS
        )

    def english_text(self):
        return self.text_in(settings.LANGUAGE_CODE)

    def translations_text(self):
        return "\n\n".join(
            self.text_in(code) for code in site_languages() if code != settings.LANGUAGE_CODE
        )

    def is_in_two_languages(self):
        """Drift exists only between languages that exist: the default one and another."""
        return self.is_translated(settings.LANGUAGE_CODE) and any(
            self.is_translated(code) for code in site_languages() if code != settings.LANGUAGE_CODE
        )

    def track_translation(self, before):
        """Note when the English moves on from the text the Russian translation was made from."""
        now = timezone.now()
        english = self.english_text()
        if before is None or before.english_text() != english:
            self.english_updated_at = now
        if not self.is_in_two_languages():
            self.translation_source, self.translation_behind_since = "", None
        elif (
            before is None
            or not before.is_in_two_languages()
            or before.translations_text() != self.translations_text()
        ):
            # Saving the translation means a translator has looked at it: it follows this
            # English. So does English added to an article first written in another language.
            self.mark_translation_current()
        elif self.translation_source != english and self.translation_behind_since is None:
            self.translation_behind_since = now

    def mark_translation_current(self):
        self.translation_source = self.english_text()
        self.translation_behind_since = None

    def english_changes(self):
        """What changed in the English since the translation was made, as a unified diff."""
        return "\n".join(
            difflib.unified_diff(
                self.translation_source.splitlines(),
                self.english_text().splitlines(),
                fromfile=str(_("translated from")),
                tofile=str(_("English now")),
                lineterm="",
            )
        )

    def render(self):
        """Render each language's body; what the page will not show goes to `render_warnings`
        ({language: warnings}) for the editor who saved it."""
        self.render_warnings = {}
        for lang, _name in settings.LANGUAGES:
            rendered = render_article_body(getattr(self, localized("body", lang)) or "")
            setattr(self, localized("body_html", lang), rendered.html)
            setattr(self, localized("toc_html", lang), rendered.toc_html)
            setattr(self, localized("reading_minutes", lang), rendered.minutes)
            # As in Hugo: without a written summary, the text above <!--more--> is the summary.
            if rendered.summary and not getattr(self, localized("summary", lang)):
                setattr(self, localized("summary", lang), rendered.summary)
            if rendered.warnings:
                self.render_warnings[lang] = rendered.warnings
        self.renderer_version = RENDERER_VERSION

    RENDERED = ("body_html", "toc_html", "reading_minutes", "summary")

    @classmethod
    def rerender_all(cls, batch_size=500):
        """Render every stored article again; [(pk, slug, languages whose page changed)]."""
        languages = [lang for lang, _name in settings.LANGUAGES]
        fields = [localized(name, lang) for name in cls.RENDERED for lang in languages]
        changed, batch = [], []

        def flush():
            cls.objects.bulk_update(batch, [*fields, "renderer_version"])
            batch.clear()

        bodies = [localized("body", lang) for lang in languages]
        for article in cls.objects.only("pk", "slug", "renderer_version", *bodies, *fields):
            before = {name: getattr(article, name) for name in fields}
            old_version = article.renderer_version
            article.render()
            differs = [
                lang
                for lang in languages
                if any(
                    before[localized(name, lang)] != getattr(article, localized(name, lang))
                    for name in ("body_html", "toc_html")
                )
            ]
            if differs:
                changed.append((article.pk, article.slug, differs))
            if (
                differs
                or old_version != article.renderer_version
                or any(before[name] != getattr(article, name) for name in fields)
            ):
                batch.append(article)
            if len(batch) >= batch_size:
                flush()
        flush()
        return changed

    @classmethod
    def rendered_by_an_older_renderer(cls):
        return cls.objects.exclude(renderer_version=RENDERER_VERSION).exists()

    def revoke_preview_links(self):
        """Every preview link made so far stops working; returns True (something changed)."""
        Article.objects.filter(pk=self.pk).update(preview_version=F("preview_version") + 1)
        self.refresh_from_db(fields=["preview_version"])
        return True

    @property
    def cover_renditions_missing(self):
        return bool(self.cover_image) and self.cover_renditions_of != self.cover_image.name

    @classmethod
    def update_cover_renditions(cls, pk):
        # The size fields too: without them Django would read the cover's size again.
        fields = ["cover_image", "cover_width", "cover_height", "cover_renditions_of"]
        article = cls.objects.filter(pk=pk).only(*fields).first()
        if article is None or not article.cover_renditions_missing:
            return
        if make_renditions(article.cover_image) is None:
            return  # unreadable: the page keeps the original, the next change tries again
        # Unless the cover was replaced meanwhile: then the new one still needs its own.
        cls.objects.filter(pk=pk, cover_image=article.cover_image.name).update(
            cover_renditions_of=article.cover_image.name
        )
        changed(f"rendition:article:{pk}")

    @classmethod
    def update_body_renditions(cls, pk):
        """Make the body images' renditions, then render again so the page offers them."""
        article = cls.objects.filter(pk=pk).first()
        if article is None or not make_body_renditions(article.body_images()):
            return
        article.render()
        rendered = [
            localized(field, lang)
            for field in ("body_html", "toc_html", "reading_minutes")
            for lang, _name in settings.LANGUAGES
        ]
        # An update, not save(): nothing else about the article changed.
        cls.objects.filter(pk=pk).update(**{name: getattr(article, name) for name in rendered})
        changed(f"rendition:article:{pk}")

    def body_images(self):
        """Stored originals the bodies still show, in every language: those without renditions."""
        return {
            name
            for lang, _name in settings.LANGUAGES
            for name in media_image_names(getattr(self, localized("body_html", lang)) or "")
        }

    @property
    def has_diagrams(self):
        """The page loads our copy of Mermaid only when its body has a diagram."""
        return 'class="mermaid"' in (self.body_html or "")

    @property
    def is_live(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def state(self):
        if self.status != self.Status.PUBLISHED:
            return self.State(self.status)
        return self.State.LIVE if self.is_live else self.State.SCHEDULED

    def is_translated(self, language):
        """Title and body are written in that language (not just falling back to another)."""
        return bool(
            getattr(self, localized("title", language), None)
            and getattr(self, localized("body", language), None)
        )

    @property
    def languages(self):
        """The languages the article is written in (has a title in), in settings' order."""
        return written_languages(self, "title")

    @property
    def original_language(self):
        """Where a reader of a language the article lacks is sent: its first language."""
        languages = self.languages
        return languages[0] if languages else settings.LANGUAGE_CODE

    def exists_in(self, language):
        return language in self.languages

    @property
    def shown_summary(self):
        """The summary in the language of the title this page shows, or "" when that language
        has none: never another language's summary under this one's title."""
        return shown_with(self, "summary", "title")

    @property
    def description(self):
        """What the page says the article is about (meta description, feed entries): its shown
        summary, else the opening of its body in the same language. Reads `body_html`, which
        cards leave out: for the article's page and feeds only."""
        language = shown_language(self, "title")
        body = getattr(self, localized("body_html", language)) if language else ""
        return self.shown_summary or excerpt(body)

    def shown_in(self, language):
        """Whether `language`'s edition shows it: written in it, or listed there in another."""
        return self.exists_in(language) or language not in self.hidden_languages

    @property
    def translations(self):
        """[(language code, translated?)] for every site language, for the editors' lists."""
        return [(code, self.is_translated(code)) for code, _name in settings.LANGUAGES]

    @property
    def cover_srcset(self):
        if not self.cover_image or self.cover_renditions_missing or not self.cover_width:
            return ""
        return srcset(self.cover_image.name, self.cover_width)


# PostgreSQL's stored search entries, one per site language as modeltranslation's columns are
# (search_en, search_ru…): articles/search_index.py fills them after each commit; SQLite keeps
# its own FTS5 tables and leaves these empty.
for _code in site_languages():
    Article.add_to_class(f"search_{_code}", SearchVectorField(editable=False, null=True))


class Redirect(models.Model):
    """An address that once showed something, answered with a 301 to where it lives now.

    Two kinds of row share the table and the one answer (blogsite/redirects.py, for a 404
    only): an article's former slug, kept by Article.save and good in every edition; and an
    exact path of a site imported from Hugo (hugo_import), in its language, that leads to an
    article or to one of its list pages and feeds, found by `kind` and `slug` when asked.
    Not django.contrib.redirects: its rows are site-keyed fixed strings, where ours follow the
    article (a slug renamed twice answers in one hop, a withdrawn article's old address is a
    404 rather than a redirect to one) and know their language. The table sits in `articles`
    because its rows point at articles and Article.save writes them; `sitewide`, below
    `articles`, cannot know the Article model.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", _("article")
        HOME = "home", _("list of articles")
        FEED = "feed", _("feed")
        ARCHIVE = "archive", _("archive")
        SEARCH = "search", _("search")
        TAGS = "tags", _("tags")
        TAG = "tag", _("tag")
        TAG_FEED = "tag_feed", _("tag feed")
        SERIES_LIST = "series_list", _("series")
        SERIES = "series", _("one series")
        SERIES_FEED = "series_feed", _("series feed")
        AUTHORS = "authors", _("authors")
        AUTHOR = "author", _("author")
        AUTHOR_FEED = "author_feed", _("author feed")

    old_slug = models.SlugField(
        _("old slug"),
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        help_text=_("A former slug of the article: its old address in every language."),
    )
    path = models.CharField(
        _("old address"),
        max_length=500,
        unique=True,
        null=True,
        blank=True,
        validators=[RegexValidator(r"^/", _("An address starts with a slash."))],
        help_text=_("An exact address of the old site, such as /2019/05/a-post/."),
    )
    kind = models.CharField(_("leads to"), max_length=16, choices=Kind, default=Kind.ARTICLE)
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="redirects",
        verbose_name=_("article"),
        null=True,
        blank=True,
    )
    # The tag's, series' or author's slug for their pages and feeds.
    slug = models.CharField(_("slug"), max_length=200, blank=True)
    # Where a numbered list page started (Hugo's page 3 of 5 a page): the same entries here.
    first_item = models.PositiveIntegerField(_("first entry"), default=0)
    # An old path's language; an old slug is answered in the language it is asked in.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["path", "old_slug"]
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")
        constraints = [
            models.CheckConstraint(
                condition=Q(old_slug__isnull=False, path__isnull=True, kind="article", language="")
                | Q(old_slug__isnull=True, path__isnull=False) & ~Q(language=""),
                name="redirect_old_slug_or_path",
                violation_error_message=_(
                    "Give either an old slug (of an article, no language) or an old address "
                    "with its language."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind="article", article__isnull=False)
                | (~Q(kind="article") & Q(article__isnull=True)),
                name="redirect_article_iff_kind_article",
                violation_error_message=_(
                    "An article is chosen exactly when the redirect leads to an article."
                ),
            ),
        ]

    def __str__(self):
        # An old slug in the language the admin is read in: it answers in every one.
        return self.path or reverse("articles:detail", kwargs={"slug": self.old_slug})

    def clean(self):
        if self.old_slug and self.article_id and self.old_slug == self.article.slug:
            raise ValidationError({"old_slug": _("This is the article's current slug.")})


class RelatedArticle(models.Model):
    """An article's related reading, ranked when articles change (articles/related.py), so
    the article page reads it in one query instead of ranking on every render.

    Position 0 is a marker row (no article): the list has been worked out, even if it is
    empty. Rows 1… are the ranked articles that were published (live or scheduled) at the
    time, with the parts of the rank the next refresh compares a changed article against.
    Who may see them (live, listed in the page's language) is asked again on every read, so a
    scheduled article appears at its second and a withdrawn one never shows.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_rows")
    position = models.PositiveSmallIntegerField()
    # No constraint: a deleted article's row stays until the refresh that its deletion
    # queues finds (by it) the lists it was in; reads join it away at once.
    related = models.ForeignKey(
        Article,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    is_next = models.BooleanField(default=False)
    shared_tags = models.PositiveSmallIntegerField(default=0)
    same_author = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True)
    # On the marker: the ranking ran out of candidates before every edition had a full list,
    # so any new candidate joins it.
    open = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="related_article_position")
        ]

    def __str__(self):
        return f"{self.article_id} #{self.position}: {self.related_id}"
