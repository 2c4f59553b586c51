from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from articles.models import Article, Author, Tag
from articles.search import MAX_QUERY_LENGTH, search

PAGE_SIZE = 10


def paginate(request, queryset, per_page=PAGE_SIZE):
    """One page of a listing; a bad or out-of-range ?page= is a 404, not a 500."""
    try:
        return Paginator(queryset, per_page).page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error


def article_detail(request, slug):
    article = get_object_or_404(Article.objects.live().for_cards(), slug=slug)
    return render(request, "article.html", {"article": article})


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = paginate(request, Article.objects.live().for_cards().filter(tags=tag))
    return render(request, "articles/tag_detail.html", {"tag": tag, "page": page})


def search_results(request):
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    page = paginate(request, search(Article.objects.live().for_cards(), query)) if query else None
    return render(request, "articles/search.html", {"query": query, "page": page})


def author_detail(request, slug):
    author = get_object_or_404(Author, slug=slug)
    page = paginate(request, Article.objects.live().for_cards().filter(author=author))
    return render(request, "articles/author_detail.html", {"author": author, "page": page})
