"""«Editors» change the site's name, tagline and newsletter pitch; «Authors» still cannot."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = ["change_sitesettings", "view_sitesettings"]


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs them now.
    app_config = apps.get_app_config("articles")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="articles", codename__in=EDITORS)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.remove(
            *Permission.objects.filter(content_type__app_label="articles", codename__in=EDITORS)
        )


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0005_translation_drift"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
