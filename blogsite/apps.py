from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class BlogsiteConfig(AppConfig):
    name = "blogsite"


class BlogAdminConfig(AdminConfig):
    # The site's name in the header and Russian that declines model names (admin_site.py).
    default_site = "blogsite.admin_site.BlogAdminSite"
