import tempfile

from django.contrib import admin
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from portability.hugo_export import all_articles, export_zip


@admin.action(permissions=["publish"], description=_("Download as a Hugo site (zip)"))
def export_as_hugo_site(modeladmin, request, queryset):
    """The selected articles, drafts included, as `export_hugo` writes them, in one zip."""
    # Closed by the FileResponse once sent.
    archive = tempfile.TemporaryFile()  # noqa: SIM115
    export_zip(archive, all_articles().filter(pk__in=queryset.values("pk")))
    archive.seek(0)
    return FileResponse(
        archive, as_attachment=True, filename="hugo-site.zip", content_type="application/zip"
    )


# Offered beside the articles' own actions: articles does not know this app.
article_admin = admin.site._registry[Article]
article_admin.actions = [*article_admin.actions, export_as_hugo_site]
