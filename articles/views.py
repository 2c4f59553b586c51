import hashlib

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import CharField, Count, F, QuerySet, Value
from django.db.models.functions import Coalesce, ExtractYear, Lower, NullIf
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic.dates import YearArchiveView
from modeltranslation.utils import build_localized_fieldname as localized

from articles import extensions
from articles.meta import article_meta, author_meta
from articles.models import Article, Author, Tag
from articles.preview import preview_key_from_token
from articles.querysets import listed_q, live_q
from articles.related import related_articles
from sitewide.languages import current_language, fallback_order
from sitewide.metadata import listing_meta
from sitewide.models import SiteSettings
from sitewide.pagestore import kept, shows, shows_only_what_it_loads

PAGE_SIZE = 10


class KeptCountPaginator(Paginator):
    """A paginator whose count is worked out once per change to the list (`kept`)."""

    def __init__(self, object_list, per_page, name, count_keys):
        super().__init__(object_list, per_page)
        self.name = name
        self.count_keys = count_keys

    @cached_property
    def count(self):
        return kept(self.name, self.count_keys, self.object_list.count)


def paginate(request, articles, per_page=PAGE_SIZE, count_keys=None):
    """One page of a listing; a bad or out-of-range ?page= is a 404, not a 500.

    For a queryset, the page's ids are picked in a subquery that skips over narrow index
    entries, and only those rows are read in full with their joins: page 50 costs what
    page 1 costs. Search results are a ranked sequence that loads only its page already.
    With `count_keys` (the keys whose change can change the list: `list:en`, `tag-list:3`), the
    list's length is counted once per change to them, not on every render.
    """
    is_queryset = isinstance(articles, QuerySet)
    try:
        rows = articles.values("pk") if is_queryset else articles
        if is_queryset and count_keys:
            # Every page of one list (its address without ?page=) shares its count.
            path = hashlib.md5(request.path_info.encode(), usedforsecurity=False).hexdigest()
            paginator = KeptCountPaginator(rows, per_page, f"count:{path}", count_keys)
        else:
            paginator = Paginator(rows, per_page)
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error
    if is_queryset:
        page.object_list = list(articles.filter(pk__in=page.object_list))
    return page


def article_detail(request, slug):
    # Its lists (related reading, the series strip) are kept by the tags, author and series
    # they come from: a publish elsewhere on the site leaves this page cached.
    shows_only_what_it_loads()
    article = extensions.shape(
        Article.objects.live().with_author_and_tags().filter(slug=slug)
    ).first()
    if article is None:
        # A former slug's 301 is answered for this 404 by blogsite/redirects.py.
        raise Http404
    language = current_language()
    if not article.shown_in(language):
        # Not written in this language and kept off its edition: say where it is.
        return not_in_this_edition(request, article)
    # Kept off this language's listings by an editor: readable, but not for search engines.
    unlisted = language in article.hidden_languages
    context = {
        "article": article,
        "unlisted": unlisted,
        # hreflang alternates: only the languages it is written in.
        "alternate_languages": article.languages,
        **extensions.page_context(article),
    }
    context["meta"] = article_meta(request, SiteSettings.load(), article, context.get("part"))
    # Its stored related reading: the worker's refresh of it invalidates `related:<pk>`.
    shows(f"related:{article.pk}")
    context["related"] = related_articles(article)
    return render(request, "article.html", context)


def not_in_this_edition(request, article):
    original = article.original_language
    with override(original):
        url = article.get_absolute_url()
        title = article.title
    context = {
        "original_url": url,
        "original_title": title,
        "original_language": original,
        "original_language_name": dict(settings.LANGUAGES)[original],
        "alternate_languages": article.languages,
    }
    return render(request, "articles/not_in_edition.html", context, status=404)


@never_cache
def article_preview(request, token):
    key = preview_key_from_token(token)
    article = (
        extensions.shape(
            Article.objects.with_author_and_tags().filter(pk=key[0], preview_version=key[1])
        ).first()
        if key
        else None
    )
    if article is None:
        context = {"max_age_days": settings.PREVIEW_LINK_MAX_AGE_DAYS}
        response = render(request, "articles/preview_invalid.html", context, status=404)
    elif article.is_live:
        return redirect(article)
    else:
        context = {"article": article, "preview": True, **extensions.page_context(article)}
        response = render(request, "article.html", context)
    # Unpublished text must never reach a search engine.
    response["X-Robots-Tag"] = "noindex"
    return response


def shown_field(field):
    """The field in the page's language, else in the first other language that has it (as the
    page shows it), as an ORM expression."""
    columns = [NullIf(F(localized(field, code)), Value("")) for code in fallback_order()]
    return Coalesce(*columns, output_field=CharField()) if len(columns) > 1 else columns[0]


def live_count(prefix="articles__"):
    """Live articles listed in this language, counted through a relation."""
    return Count(f"{prefix}pk", filter=live_q(prefix) & listed_q(prefix), distinct=True)


def tag_index(request):
    tags = (
        Tag.objects.annotate(live_articles=live_count())
        .filter(live_articles__gt=0)
        .order_by(Lower(shown_field("name")), "slug")
    )
    meta = listing_meta(
        request,
        SiteSettings.load(),
        _("Tags"),
        _("Every topic we write about, with the number of articles on each."),
        trail=[(_("Tags"), reverse("articles:tags"))],
    )
    return render(request, "articles/tag_index.html", {"tags": tags, "meta": meta})


def author_index(request):
    authors = Author.objects.annotate(live_articles=live_count()).filter(live_articles__gt=0)
    meta = listing_meta(
        request,
        SiteSettings.load(),
        _("Authors"),
        _("The people who write here, and what each has published."),
        trail=[(_("Authors"), reverse("articles:authors"))],
    )
    return render(request, "articles/author_index.html", {"authors": authors, "meta": meta})


def tag_detail(request, slug):
    shows_only_what_it_loads()  # its list is the tag's (`tag-list:3`)
    tag = get_object_or_404(Tag, slug=slug)
    shows(f"tag-list:{tag.pk}")
    page = paginate(
        request, Article.objects.listing().filter(tags=tag), count_keys=[f"tag-list:{tag.pk}"]
    )
    if not page.object_list:
        # A tag with nothing live says nothing public, not even that it exists.
        raise Http404("No live article has this tag.")
    meta = listing_meta(
        request,
        SiteSettings.load(),
        tag.name,
        _("Articles tagged “%(tag)s”.") % {"tag": tag.name},
        page=page,
        trail=[(_("Tags"), reverse("articles:tags")), (tag.name, tag.get_absolute_url())],
    )
    return render(request, "articles/tag_detail.html", {"tag": tag, "page": page, "meta": meta})


def archive_index(request):
    # Not ArchiveIndexView: that lists the newest articles and the years as bare dates; this
    # page lists each year with its count, which is one grouped query.
    years = (
        Article.objects.live()
        .listed()
        .annotate(year=ExtractYear("published_at"))
        .values("year")
        .annotate(articles=Count("pk"))
        .order_by("-year")
    )
    meta = listing_meta(
        request,
        SiteSettings.load(),
        _("Archive"),
        _("Everything published, year by year."),
        trail=[(_("Archive"), reverse("articles:archive"))],
    )
    return render(request, "articles/archive_index.html", {"years": years, "meta": meta})


class ArchiveYear(YearArchiveView):
    """One year's live articles, newest first, paged like every listing; an empty year is 404."""

    date_field = "published_at"
    make_object_list = True
    paginate_by = PAGE_SIZE
    # Allowed here so Django asks no extra query to find out; paginate() answers 404 below.
    allow_empty = True
    template_name = "articles/archive_year.html"

    def get_queryset(self):
        # A fresh queryset per request: listed() reads the request's language.
        return Article.objects.listing()

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        return None  # the page lists no months: no query for them

    def paginate_queryset(self, queryset, page_size):
        page = paginate(self.request, queryset, page_size, count_keys=[f"list:{get_language()}"])
        if not page.paginator.count:
            raise Http404("Nothing was published that year.")
        return page.paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, year = context["page_obj"], context["year"].year
        meta = listing_meta(
            self.request,
            SiteSettings.load(),
            str(year),
            _("Articles published in %(year)s.") % {"year": year},
            page=page,
            trail=[
                (_("Archive"), reverse("articles:archive")),
                (str(year), reverse("articles:archive_year", args=[year])),
            ],
        )
        return {**context, "page": page, "meta": meta}


def author_detail(request, slug):
    shows_only_what_it_loads()  # its list is the author's (`author-list:2`)
    author = get_object_or_404(Author, slug=slug)
    shows(f"author-list:{author.pk}")
    articles = Article.objects.listing().filter(author=author)
    page = paginate(request, articles, count_keys=[f"author-list:{author.pk}"])
    if not page.object_list:
        # Someone with nothing live (an editor, an author before their first article) has no
        # public page.
        raise Http404("No live article by this author.")
    meta = author_meta(request, SiteSettings.load(), author, page)
    context = {"author": author, "page": page, "meta": meta}
    return render(request, "articles/author_detail.html", context)
