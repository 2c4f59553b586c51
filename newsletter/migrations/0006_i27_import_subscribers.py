"""Editors may bring readers over from another newsletter service (the import page)."""

from django.db import migrations

from sitewide import permissions


def grant(apps, schema_editor):
    permissions.grant(apps, "Editors", "newsletter", ["import_subscribers"])


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
