"""Editors may bring readers over from another newsletter service (the import page)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs this one now.
    app_config = apps.get_app_config("newsletter")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="newsletter", codename="import_subscribers"
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ("newsletter", "0005_i13_consent_ip"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="subscriber",
            options={
                "ordering": ["-created_at", "-pk"],
                "permissions": [
                    ("import_subscribers", "Can import subscribers from another service")
                ],
                "verbose_name": "subscriber",
                "verbose_name_plural": "subscribers",
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
