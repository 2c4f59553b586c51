"""The read-only Content API, /api/v1/: the public content for programs, shaped like Ghost's.

Everything here reads through `live().listed()`: what the API returns is what the pages show in
that language, nothing more. Responses are plain public GETs, so the page cache keeps them,
answers ETag/304 and drops them on the same changes as the pages (sitewide.pagecache).
"""

import enum
import html
from datetime import UTC, datetime

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.html import strip_tags
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import Swagger

from articles.models import Article, Author, Tag
from articles.rendering import with_absolute_urls
from series.models import Series

DEFAULT_LIMIT = 15
MAX_LIMIT = 100
# Far past any real archive; a bigger number is a mistake or a probe, answered 422.
MAX_PAGE = 1_000_000
SLUG = r"^[-a-zA-Z0-9_]{1,200}$"
LIST = r"^[-a-z_.,]{0,300}$"

Language = enum.StrEnum("Language", {code: code for code, _name in settings.LANGUAGES})
FORMATS = {"html", "markdown", "plaintext"}

api = NinjaAPI(
    title="Content API",
    version="1",
    description=(
        "Read-only JSON for the blog's public content: posts, series, tags and authors, per "
        "language. Only what the public pages show is here: no drafts, no scheduled posts. "
        "No key needed; cross-origin GETs are allowed. Modelled on Ghost's Content API: "
        "`fields`, `include`, `formats`, `page`/`limit` with `meta.pagination`."
    ),
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs/",
)


# What goes out. Every field is optional because `fields` may leave any of them out.


class Pagination(Schema):
    page: int
    limit: int
    pages: int
    total: int
    next: int | None
    prev: int | None


class Meta(Schema):
    pagination: Pagination


class TagOut(Schema):
    id: int | None = None
    slug: str | None = None
    name: str | None = None
    url: str | None = None
    count: dict[str, int] | None = Field(None, description="With include=count.posts.")


class AuthorOut(Schema):
    id: int | None = None
    slug: str | None = None
    name: str | None = None
    bio: str | None = None
    profile_image: str | None = None
    links: list[str] | None = None
    url: str | None = None
    count: dict[str, int] | None = Field(None, description="With include=count.posts.")


class SeriesRef(Schema):
    slug: str
    title: str
    url: str
    position: int


class PartOut(Schema):
    slug: str
    title: str
    url: str
    position: int


class PostOut(Schema):
    id: int | None = None
    slug: str | None = None
    title: str | None = None
    url: str | None = None
    language: str | None = Field(
        None, description="The language the text is in (another one where not translated)."
    )
    excerpt: str | None = None
    feature_image: str | None = None
    feature_image_alt: str | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    reading_time: int | None = Field(None, description="Minutes.")
    html: str | None = Field(None, description="With formats=html (the default).")
    markdown: str | None = Field(None, description="With formats=markdown.")
    plaintext: str | None = Field(None, description="With formats=plaintext.")
    authors: list[AuthorOut] | None = Field(None, description="With include=authors.")
    primary_author: AuthorOut | None = Field(None, description="With include=authors.")
    tags: list[TagOut] | None = Field(None, description="With include=tags.")
    series: SeriesRef | None = Field(None, description="With include=series.")


class SeriesOut(Schema):
    id: int | None = None
    slug: str | None = None
    title: str | None = None
    url: str | None = None
    html: str | None = None
    markdown: str | None = None
    plaintext: str | None = None
    published_at: datetime | None = Field(None, description="When its newest part went live.")
    posts: list[PartOut] | None = Field(None, description="With include=posts, in order.")
    count: dict[str, int] | None = Field(None, description="With include=count.posts.")


class PostsOut(Schema):
    posts: list[PostOut]
    meta: Meta | None = None


class SeriesListOut(Schema):
    series: list[SeriesOut]
    meta: Meta | None = None


class TagsOut(Schema):
    tags: list[TagOut]
    meta: Meta | None = None


class AuthorsOut(Schema):
    authors: list[AuthorOut]
    meta: Meta | None = None


class Error(Schema):
    detail: str | list


# What comes in.


class Common(Schema):
    lang: Language = Field(settings.LANGUAGE_CODE, description="The edition to read.")
    fields: str | None = Field(
        None, pattern=LIST, description="Only these fields, comma-separated (e.g. title,url)."
    )
    include: str | None = Field(None, pattern=LIST, description="Related data, comma-separated.")
    formats: str | None = Field(
        None, pattern=LIST, description="html (default), markdown, plaintext; comma-separated."
    )


class Paging(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class PostFilters(Schema):
    tag: str | None = Field(None, pattern=SLUG, description="A tag's slug.")
    series: str | None = Field(None, pattern=SLUG, description="A series' slug.")
    author: str | None = Field(None, pattern=SLUG, description="An author's slug.")
    published_after: datetime | None = Field(
        None, description="ISO 8601; without a zone, the site's time zone."
    )


def names(value, known, what):
    """A comma-separated list checked against what exists: unknown names are a 400."""
    chosen = [name for name in (value or "").split(",") if name]
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise HttpError(
            400,
            f"Unknown {what}: {', '.join(unknown)}. Known: {', '.join(sorted(known))}.",
        )
    return list(dict.fromkeys(chosen))


def pick(data, fields):
    return {key: value for key, value in data.items() if key in fields} if fields else data


def paginate(queryset, paging):
    paginator = Paginator(queryset, paging.limit)
    try:
        page = paginator.page(paging.page)
    except EmptyPage as error:
        raise HttpError(404, f"No page {paging.page}: there are {paginator.num_pages}.") from error
    pagination = {
        "page": page.number,
        "limit": paging.limit,
        "pages": paginator.num_pages,
        "total": paginator.count,
        "next": page.next_page_number() if page.has_next() else None,
        "prev": page.previous_page_number() if page.has_previous() else None,
    }
    return page.object_list, {"pagination": pagination}


def as_utc(moment):
    moment = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    try:
        return moment.astimezone(UTC)
    except OverflowError as error:
        raise HttpError(400, "published_after is out of range.") from error


def plain(markup):
    return html.unescape(strip_tags(markup or "")).strip()


def public_articles():
    return Article.objects.live().listed()


# Shapes.


def text_language(article, language):
    if article.is_translated(language):
        return language
    translated = [code for code, _name in settings.LANGUAGES if article.is_translated(code)]
    return translated[0] if translated else language


def tag_json(request, tag, include=()):
    data = {
        "id": tag.pk,
        "slug": tag.slug,
        "name": tag.name,
        "url": request.build_absolute_uri(tag.get_absolute_url()),
    }
    if "count.posts" in include:
        data["count"] = {"posts": tag.live_posts}
    return data


def author_json(request, author, include=()):
    data = {
        "id": author.pk,
        "slug": author.slug,
        "name": author.name,
        "bio": author.bio,
        "profile_image": request.build_absolute_uri(author.avatar.url) if author.avatar else None,
        "links": [url for _label, url in author.link_list],
        "url": request.build_absolute_uri(author.get_absolute_url()),
    }
    if "count.posts" in include:
        data["count"] = {"posts": author.live_posts}
    return data


def post_json(request, article, language, formats, include):
    page_url = request.build_absolute_uri(article.get_absolute_url())
    data = {
        "id": article.pk,
        "slug": article.slug,
        "title": article.title,
        "url": page_url,
        "language": text_language(article, language),
        # Ghost's excerpt: the written summary, else the opening of the text (as the page's
        # description is); never another language's summary.
        "excerpt": article.description,
        "feature_image": (
            request.build_absolute_uri(article.cover_image.url) if article.cover_image else None
        ),
        "feature_image_alt": article.cover_alt or None,
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "reading_time": article.reading_minutes,
    }
    if "html" in formats:
        data["html"] = with_absolute_urls(article.body_html, page_url)
    if "markdown" in formats:
        data["markdown"] = article.body
    if "plaintext" in formats:
        data["plaintext"] = plain(article.body_html)
    if "authors" in include:
        author = author_json(request, article.author)
        data["authors"], data["primary_author"] = [author], author
    if "tags" in include:
        data["tags"] = [tag_json(request, tag) for tag in article.tags.all()]
    if "series" in include:
        part = getattr(article, "series_part", None)
        data["series"] = part and {
            "slug": part.series.slug,
            "title": part.series.title,
            "url": request.build_absolute_uri(part.series.get_absolute_url()),
            "position": part.position,
        }
    return data


POST_FIELDS = list(PostOut.model_fields)
POST_INCLUDES = ["authors", "tags", "series"]


def posts_answer(request, articles, common, paging=None):
    language = str(common.lang)
    include = names(common.include, POST_INCLUDES, "include")
    formats = names(common.formats or "html", FORMATS, "formats")
    fields = names(common.fields, POST_FIELDS, "fields")
    articles = articles.select_related("author", "series_part__series")
    if "tags" in include:
        articles = articles.prefetch_related("tags")
    meta = None
    if paging is not None:
        articles, meta = paginate(articles, paging)
    posts = [pick(post_json(request, a, language, formats, include), fields) for a in articles]
    return {"posts": posts, **({"meta": meta} if meta else {})}


# Endpoints. Each runs in the requested language, as the pages run in theirs.

ERRORS = {400: Error, 404: Error, 422: Error}

# What each parameter takes, said as a person would: pydantic's own messages name regular
# expressions and Python types ("String should match pattern '^[-a-z_.,]{0,300}$'").
NAMES = "names of lowercase letters, '-', '_' or '.', separated by commas"
ACCEPTS = {
    "lang": "one of " + ", ".join(code for code, _name in settings.LANGUAGES),
    "page": f"a whole number from 1 to {MAX_PAGE:,}",
    "limit": f"a whole number from 1 to {MAX_LIMIT}",
    "fields": NAMES,
    "include": NAMES,
    "formats": NAMES,
    "tag": "a slug: letters, digits, '-' or '_'",
    "series": "a slug: letters, digits, '-' or '_'",
    "author": "a slug: letters, digits, '-' or '_'",
    "published_after": "a date and time in ISO 8601, such as 2026-01-31T09:00:00Z",
}


@api.exception_handler(ValidationError)
def invalid_parameters(request, error):
    """A 422 that says which parameter was refused and what it takes, in the shape FastAPI and
    Ninja clients read (`detail`: a list with `loc`, `msg`, `type`)."""
    detail = []
    for problem in error.errors:
        location = [str(part) for part in problem.get("loc", ())]
        name = location[-1] if location else ""
        message = problem.get("msg", "Invalid value.")
        if name in ACCEPTS:
            message = f"{name}: expected {ACCEPTS[name]}."
        detail.append({"loc": location, "msg": message, "type": problem.get("type", "")})
    return api.create_response(request, {"detail": detail}, status=422)


def read(path, out, tag):
    """GET, documented, and HEAD (the same answer, which the server sends without its body)."""

    def register(view):
        options = {"response": {200: out, **ERRORS}, "exclude_unset": True, "tags": [tag]}
        api.api_operation(["HEAD"], path, include_in_schema=False, **options)(view)
        return api.get(path, **options)(view)

    return register


@read("/posts/", PostsOut, "posts")
def list_posts(
    request,
    common: Query[Common],
    paging: Query[Paging],
    filters: Query[PostFilters],
):
    """Live posts of the edition, newest first."""
    with translation.override(str(common.lang)):
        articles = public_articles()
        if filters.tag:
            articles = articles.filter(tags__slug=filters.tag)
        if filters.series:
            articles = articles.filter(series_part__series__slug=filters.series)
        if filters.author:
            articles = articles.filter(author__slug=filters.author)
        if filters.published_after:
            articles = articles.filter(published_at__gt=as_utc(filters.published_after))
        return posts_answer(request, articles.order_by("-published_at", "-pk"), common, paging)


@read("/posts/{slug}/", PostsOut, "posts")
def get_post(request, slug: str, common: Query[Common]):
    """One live post by its slug, as {"posts": [post]}."""
    with translation.override(str(common.lang)):
        articles = public_articles().filter(slug=slug)
        answer = posts_answer(request, articles, common)
    if not answer["posts"]:
        raise HttpError(404, "No such post.")
    return answer


SERIES_FIELDS = list(SeriesOut.model_fields)
SERIES_INCLUDES = ["posts", "count.posts"]


def series_json(request, series, formats, include, fields):
    data = {
        "id": series.pk,
        "slug": series.slug,
        "title": series.title,
        "url": request.build_absolute_uri(series.get_absolute_url()),
        "published_at": series.latest_published_at,
    }
    if "html" in formats:
        data["html"] = series.intro_html
    if "markdown" in formats:
        data["markdown"] = series.intro
    if "plaintext" in formats:
        data["plaintext"] = plain(series.intro_html)
    if "posts" in include:
        parts = series.parts.filter(article__in=public_articles()).select_related("article")
        data["posts"] = [
            {
                "slug": part.article.slug,
                "title": part.article.title,
                "url": request.build_absolute_uri(part.article.get_absolute_url()),
                "position": part.position,
            }
            for part in parts.order_by("position")
        ]
    if "count.posts" in include:
        data["count"] = {"posts": series.live_parts}
    return pick(data, fields)


def series_answer(request, queryset, common, paging=None):
    include = names(common.include, SERIES_INCLUDES, "include")
    formats = names(common.formats or "html", FORMATS, "formats")
    fields = names(common.fields, SERIES_FIELDS, "fields")
    meta = None
    if paging is not None:
        queryset, meta = paginate(queryset, paging)
    found = [series_json(request, series, formats, include, fields) for series in queryset]
    return {"series": found, **({"meta": meta} if meta else {})}


@read("/series/", SeriesListOut, "series")
def list_series(request, common: Query[Common], paging: Query[Paging]):
    """Series with at least one live part, the most recently continued first."""
    with translation.override(str(common.lang)):
        queryset = Series.objects.with_live_stats().order_by("-latest_published_at", "pk")
        return series_answer(request, queryset, common, paging)


@read("/series/{slug}/", SeriesListOut, "series")
def get_series(request, slug: str, common: Query[Common]):
    """One series by its slug, as {"series": [series]}."""
    with translation.override(str(common.lang)):
        answer = series_answer(request, Series.objects.with_live_stats().filter(slug=slug), common)
    if not answer["series"]:
        raise HttpError(404, "No such series.")
    return answer


def with_live_posts(queryset):
    """Only rows with a post the public sees in this language, with that count."""
    live = Q(articles__in=public_articles())
    return queryset.annotate(live_posts=Count("articles", filter=live, distinct=True)).filter(
        live_posts__gt=0
    )


TAG_FIELDS = list(TagOut.model_fields)
AUTHOR_FIELDS = list(AuthorOut.model_fields)
COUNT_INCLUDES = ["count.posts"]


def rows_answer(request, key, shape, queryset, known_fields, common, paging=None):
    include = names(common.include, COUNT_INCLUDES, "include")
    fields = names(common.fields, known_fields, "fields")
    names(common.formats, [], "formats")  # tags and authors have no body
    meta = None
    if paging is not None:
        queryset, meta = paginate(queryset, paging)
    rows = [pick(shape(request, row, include), fields) for row in queryset]
    if paging is None and not rows:
        raise HttpError(404, f"No such {key[:-1]}.")
    return {key: rows, **({"meta": meta} if meta else {})}


@read("/tags/", TagsOut, "tags")
def list_tags(request, common: Query[Common], paging: Query[Paging]):
    """Tags with at least one live post in the edition, by slug."""
    with translation.override(str(common.lang)):
        queryset = with_live_posts(Tag.objects.all()).order_by("slug")
        return rows_answer(request, "tags", tag_json, queryset, TAG_FIELDS, common, paging)


@read("/tags/{slug}/", TagsOut, "tags")
def get_tag(request, slug: str, common: Query[Common]):
    """One tag by its slug, as {"tags": [tag]}."""
    with translation.override(str(common.lang)):
        queryset = with_live_posts(Tag.objects.filter(slug=slug))
        return rows_answer(request, "tags", tag_json, queryset, TAG_FIELDS, common)


@read("/authors/", AuthorsOut, "authors")
def list_authors(request, common: Query[Common], paging: Query[Paging]):
    """Authors with at least one live post in the edition, by name."""
    with translation.override(str(common.lang)):
        queryset = with_live_posts(Author.objects.all()).order_by("name", "pk")
        return rows_answer(request, "authors", author_json, queryset, AUTHOR_FIELDS, common, paging)


@read("/authors/{slug}/", AuthorsOut, "authors")
def get_author(request, slug: str, common: Query[Common]):
    """One author by their slug, as {"authors": [author]}."""
    with translation.override(str(common.lang)):
        queryset = with_live_posts(Author.objects.filter(slug=slug))
        return rows_answer(request, "authors", author_json, queryset, AUTHOR_FIELDS, common)
