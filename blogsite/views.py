from functools import wraps
from urllib.parse import urlsplit

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailConfigurationError
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import Resolver404, URLPattern, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, override
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve
from modeltranslation.utils import build_localized_fieldname as localized

from articles.models import Article
from articles.views import paginate
from blogsite.languages import url_in_language
from newsletter.models import signup_context
from series.models import Series
from sitewide.cache import UNREACHABLE
from sitewide.languages import site_languages
from sitewide.metadata import listing_meta
from sitewide.models import SiteSettings

HUB_SERIES = 4


def home(request):
    articles = Article.objects.listing().select_related("series_part__series")
    page = paginate(request, articles, count_keys=[f"list:{get_language()}"])
    site = SiteSettings.load()
    context = {
        "page": page,
        "meta": listing_meta(request, site, site.name, site.tagline, page=page, schema_type="Blog"),
        "series_list": Series.objects.with_live_stats()[:HUB_SERIES],
        "show_series": True,
        "not_in_edition": NOT_IN_EDITION in request.GET,
        **signup_context(),
    }
    return render(request, "home.html", context)


@require_GET
def switch_language(request, language):
    """The switcher's link: remember the reader's choice, then show the same page in it."""
    if language not in dict(settings.LANGUAGES):
        raise Http404("Unknown language.")
    next_url = request.GET.get("next", "/")
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(landing_in(language, next_url))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response


# The hub's note for a reader who switched from an article the edition does not carry.
NOT_IN_EDITION = "not_in_edition"


def landing_in(language, next_url):
    """The same page in `language`; for an article that edition does not carry (written in
    another language and kept off it), that edition's hub, which says so."""
    url = url_in_language(next_url, language)
    try:
        with override(language):
            match = resolve(urlsplit(url).path)
    except Resolver404:
        return url
    if match.view_name != "articles:detail":
        return url
    article = (
        Article.objects.live()
        .filter(slug=match.kwargs["slug"])
        .only("hidden_languages", *(localized("title", code) for code in site_languages()))
        .first()
    )
    if article is None or article.shown_in(language):
        return url
    with override(language):
        return f"{reverse('home')}?{NOT_IN_EDITION}=1"


def provider_of(pattern):
    return str(pattern.pattern).lstrip("^").split("/")[0]


def webhook_patterns():
    """anymail's webhook URLs, answered only for the provider this site sends through.

    Without ANYMAIL_WEBHOOK_SECRET anymail would take a bounce from anyone (it only warns),
    and a forged bounce suppresses a reader: so no secret, no webhooks. Another provider's
    endpoint would take a bounce with the basic-auth secret alone (SendGrid, Brevo sign
    nothing), so only MAIL_WEBHOOK_PROVIDER's answers, with that provider's own checks.
    """

    def for_our_provider_only(view, provider):
        @wraps(view)
        def webhook(request, *args, **kwargs):
            if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
                raise Http404("Mail provider webhooks need ANYMAIL_WEBHOOK_SECRET.")
            if provider != settings.MAIL_WEBHOOK_PROVIDER:
                raise Http404("This site does not send through this mail provider.")
            try:
                return view(request, *args, **kwargs)
            except AnymailConfigurationError as error:
                raise Http404("This mail provider is not set up here.") from error
            except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
                # anymail reads the provider's JSON without checking its shape first.
                return HttpResponseBadRequest(f"Not a {provider} event: {type(error).__name__}.")

        return webhook

    return (
        [
            URLPattern(pattern.pattern,
                       for_our_provider_only(pattern.callback, provider_of(pattern)),
                       pattern.default_args, pattern.name)
            for pattern in anymail_urls.urlpatterns
        ],
        anymail_urls.app_name,
    )  # fmt: skip


@require_GET
def media(request, path):
    # MEDIA_ROOT read per request; the type comes from the extension, which the upload
    # check chose from the content (and SecurityMiddleware adds nosniff).
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page says; send them to the hashed static file.
    return redirect(staticfiles_storage.url("favicon.ico"), permanent=True)


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /markdownx/",
        "Disallow: /i18n/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def cache_answers():
    check = getattr(cache, "check", None)  # the local-memory cache cannot fail
    if check is None:
        return True
    try:
        check()
    except UNREACHABLE:
        return False
    return True


@never_cache
@require_GET
def healthz(request):
    """200 only when every part answers; otherwise 503, naming the parts that failed."""
    parts = {"database": database_answers(), "cache": cache_answers()}
    failed = [name for name, ok in parts.items() if not ok]
    body = {"status": "fail" if failed else "ok", "failed": failed}
    body.update({name: "ok" if ok else "fail" for name, ok in parts.items()})
    return JsonResponse(body, status=503 if failed else 200)


def csrf_failure(request, reason=""):
    # A reader's answer, in the page's language, instead of Django's English debugging page.
    return render(request, "403_csrf.html", status=403)
