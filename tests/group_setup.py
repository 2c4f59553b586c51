"""The «Authors» and «Editors» groups as the data migrations make them.

A transactional (live server) test's flush removes them; tests create them again here.
"""

import importlib

from django.apps import apps

from sitewide import permissions

GROUP_MIGRATIONS = [
    ("articles.migrations.0003_editorial_groups", "create_groups"),
    ("articles.migrations.0006_i15_editors_change_site_settings", "grant"),
    ("series.migrations.0002_i15_editors_manage_series", "grant"),
    ("newsletter.migrations.0003_i12_editors_send", "give_editors_the_newsletter"),
    ("newsletter.migrations.0006_i27_import_subscribers", "grant"),
    ("articles.migrations.0017_i26_one_redirect_table", "grant"),
]


def create_editorial_groups():
    # Both there: the database is as migrated (only a flush removes them, and with them every
    # change a test made to them); making them again would only repeat the same grants.
    if apps.get_model("auth", "Group").objects.filter(name__in=["Authors", "Editors"]).count() == 2:
        return
    for module, function in GROUP_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)
    # The site settings moved to sitewide after articles 0006 granted them (as articles').
    permissions.grant(apps, "Editors", "sitewide", ["change_sitesettings", "view_sitesettings"])
