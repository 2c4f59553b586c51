"""«Editors» change the site's name, tagline and newsletter pitch; «Authors» still cannot."""

from django.db import migrations

from sitewide import permissions

EDITORS = ["change_sitesettings", "view_sitesettings"]


def grant(apps, schema_editor):
    permissions.grant(apps, "Editors", "articles", EDITORS)


def revoke(apps, schema_editor):
    permissions.revoke(apps, "Editors", "articles", EDITORS)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0005_translation_drift"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
