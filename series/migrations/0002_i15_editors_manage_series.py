"""«Editors» create series and order their parts; «Authors» still cannot."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = [
    "add_series", "change_series", "delete_series", "view_series",
    "add_seriespart", "change_seriespart", "delete_seriespart", "view_seriespart",
]


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs them now.
    app_config = apps.get_app_config("series")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="series", codename__in=EDITORS)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.remove(
            *Permission.objects.filter(content_type__app_label="series", codename__in=EDITORS)
        )


class Migration(migrations.Migration):

    dependencies = [
        ("series", "0001_initial"),
        ("articles", "0003_editorial_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
