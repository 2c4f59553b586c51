import functools

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_path

from articles.models import Article
from federation.models import Actor, ArticleState
from federation.publishing import shown_in
from federation.views import object_response, wants_activity


@functools.lru_cache(maxsize=4096)
def article_slug(path, language):
    """The slug when `path` is an article's address, else None. Every request passes here, a
    cached page's too, and resolving the address was a sixth of what answering one cost: an
    address leads to the same view for the life of the process, so the answer is kept (the
    URLconf changes only in tests, which clear it)."""
    with translation.override(language):
        try:
            match = resolve(path)
        except Resolver404:
            return None
    return match.kwargs["slug"] if match.view_name == "articles:detail" else None


@receiver(setting_changed, dispatch_uid="article-slugs-follow-the-urlconf")
def _urlconf_changed(setting, **kwargs):
    if setting in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE"):
        article_slug.cache_clear()


class ArticleObjectMiddleware:
    """An article's address answers its ActivityPub object to those who ask for one.

    It sits above the page cache, so the JSON and the HTML never share a cached copy: an
    ActivityPub request never reaches the page cache, and every article page says
    `Vary: Accept` to the caches further out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = get_language_from_path(request.path_info)
        slug = article_slug(request.path_info, language) if language else None
        if slug is None:
            return self.get_response(request)
        if request.method in ("GET", "HEAD") and wants_activity(request):
            found = self.answer(slug, language)
            if found is not None:
                return found
        response = self.get_response(request)
        patch_vary_headers(response, ["Accept"])
        return response

    def answer(self, slug, language):
        article = Article.objects.live().filter(slug=slug).first()
        if article is None or not shown_in(article, language):
            return None
        actor = next(actor for actor in Actor.objects.ensure() if actor.language == language)
        state = ArticleState.objects.filter(actor=actor, article_pk=article.pk).first()
        return object_response(article, actor, state.generation if state else 0)
