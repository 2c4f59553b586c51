"""«Editors» create series and order their parts; «Authors» still cannot."""

from django.db import migrations

from sitewide import permissions

EDITORS = [
    "add_series", "change_series", "delete_series", "view_series",
    "add_seriespart", "change_seriespart", "delete_seriespart", "view_seriespart",
]


def grant(apps, schema_editor):
    permissions.grant(apps, "Editors", "series", EDITORS)


def revoke(apps, schema_editor):
    permissions.revoke(apps, "Editors", "series", EDITORS)


class Migration(migrations.Migration):

    dependencies = [
        ("series", "0001_initial"),
        ("articles", "0003_editorial_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
