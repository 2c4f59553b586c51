from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class BlogsiteConfig(AppConfig):
    name = "blogsite"

    def ready(self):
        from blogsite.pagecache import content_changed

        # Every app's saves, deletes and tag changes, filtered by app in the receiver: pages
        # show more models than any list here would keep up with.
        post_save.connect(content_changed, dispatch_uid="pagecache-save")
        post_delete.connect(content_changed, dispatch_uid="pagecache-delete")
        m2m_changed.connect(content_changed, dispatch_uid="pagecache-m2m")


class BlogAdminConfig(AdminConfig):
    # The site's name in the header and Russian that declines model names (admin_site.py).
    default_site = "blogsite.admin_site.BlogAdminSite"
