from datetime import MAXYEAR, MINYEAR

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from articles.models import Article, Author, SlugRedirect, Tag
from articles.preview import preview_key_from_token
from articles.search import MAX_QUERY_LENGTH, search

PAGE_SIZE = 10


def paginate(request, queryset, per_page=PAGE_SIZE):
    """One page of a listing; a bad or out-of-range ?page= is a 404, not a 500."""
    try:
        return Paginator(queryset, per_page).page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error


def article_detail(request, slug):
    article = Article.objects.live().with_author_and_tags().filter(slug=slug).first()
    if article is None:
        return redirect_old_slug(slug)
    # Kept off this language's listings by an editor: readable, but not for search engines.
    unlisted = get_language() in article.hidden_languages.split(",")
    return render(request, "article.html", {"article": article, "unlisted": unlisted})


def redirect_old_slug(slug):
    """A live article's former address answers with a 301 to its current one."""
    moved = (
        SlugRedirect.objects.filter(old_slug=slug, article__in=Article.objects.live())
        .select_related("article")
        .first()
    )
    if moved is None or moved.article.slug == slug:
        raise Http404
    return redirect(moved.article, permanent=True)


@never_cache
def article_preview(request, token):
    key = preview_key_from_token(token)
    article = (
        Article.objects.with_author_and_tags()
        .filter(pk=key[0], preview_version=key[1])
        .first()
        if key
        else None
    )
    if article is None:
        context = {"max_age_days": settings.PREVIEW_LINK_MAX_AGE_DAYS}
        response = render(request, "articles/preview_invalid.html", context, status=404)
    elif article.is_live:
        return redirect(article)
    else:
        response = render(request, "article.html", {"article": article, "preview": True})
    # Unpublished text must never reach a search engine.
    response["X-Robots-Tag"] = "noindex"
    return response


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = paginate(request, Article.objects.listing().filter(tags=tag))
    return render(request, "articles/tag_detail.html", {"tag": tag, "page": page})


def search_results(request):
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    page = paginate(request, search(Article.objects.listing(), query)) if query else None
    return render(request, "articles/search.html", {"query": query, "page": page})


def archive_index(request):
    years = (
        Article.objects.live()
        .listed()
        .annotate(year=ExtractYear("published_at"))
        .values("year")
        .annotate(articles=Count("pk"))
        .order_by("-year")
    )
    return render(request, "articles/archive_index.html", {"years": years})


def archive_year(request, year):
    if not MINYEAR <= year <= MAXYEAR:
        raise Http404("No such year.")
    articles = Article.objects.listing().filter(published_at__year=year)
    page = paginate(request, articles)
    if not page.paginator.count:
        raise Http404("Nothing was published that year.")
    return render(request, "articles/archive_year.html", {"year": year, "page": page})


def author_detail(request, slug):
    author = get_object_or_404(Author, slug=slug)
    page = paginate(request, Article.objects.listing().filter(author=author))
    return render(request, "articles/author_detail.html", {"author": author, "page": page})
