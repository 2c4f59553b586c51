from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class SitewideConfig(AppConfig):
    name = "sitewide"
    verbose_name = _("Site")

    def ready(self):
        from sitewide import social  # noqa: F401
        from sitewide.pagecache import content_changed

        # Every app's saves, deletes and tag changes, filtered by app in the receiver: pages
        # show more models than any list here would keep up with.
        post_save.connect(content_changed, dispatch_uid="pagecache-save")
        post_delete.connect(content_changed, dispatch_uid="pagecache-delete")
        m2m_changed.connect(content_changed, dispatch_uid="pagecache-m2m")
