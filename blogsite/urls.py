from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.views import PasswordResetCompleteView, PasswordResetConfirmView
from django.urls import include, path, reverse_lazy
from markdownx.views import MarkdownifyView

from articles.uploads import ImageUpload
from blogsite import search, sitemaps, views
from portability.api import api
from portability.urls import feed_patterns as json_feed_patterns

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon),
    path("healthz", views.healthz, name="healthz"),
    # An index of sections, each in pages of bounded size: a 100,000-article site has more
    # addresses than one sitemap file may hold (50,000), and a page costs the same at any size.
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.section, name="sitemap-section"),
    path("i18n/switch/<str:language>/", views.switch_language, name="switch_language"),
    # The editor's preview and uploads are for staff only, not for the whole internet.
    path(
        "markdownx/upload/",
        staff_member_required(ImageUpload.as_view()),
        name="markdownx_upload",
    ),
    path(
        "markdownx/markdownify/",
        staff_member_required(MarkdownifyView.as_view()),
        name="markdownx_markdownify",
    ),
    # Invited people choose their password here (the link in the invitation email).
    path(
        "admin/password/set/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_set_done")),
        name="password_set",
    ),
    path("admin/password/set/done/", PasswordResetCompleteView.as_view(), name="password_set_done"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Bounce and complaint webhooks of the mail provider (newsletter/bounces.py).
    path("anymail/", include(views.webhook_patterns())),
    # WebFinger, NodeInfo, the editions' actors and inboxes (ActivityPub).
    path("", include("federation.urls")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("search/", search.search_results, name="search"),
    path("", include("articles.urls")),
    path("", include("series.urls")),
    path("", include("newsletter.urls")),
    path("", include((json_feed_patterns, "portability"))),
)

if settings.SERVE_MEDIA:
    urlpatterns += [path("media/<path:path>", views.media)]
handler400 = "blogsite.errors.bad_request"
handler404 = "blogsite.errors.page_not_found"
