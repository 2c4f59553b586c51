"""Editors see failed logins and lockouts (django-axes) and unlock by deleting an attempt."""

from django.db import migrations

from sitewide.permissions import grant

CODENAMES = [
    "view_accessattempt", "delete_accessattempt", "view_accessfailurelog", "view_accesslog",
]  # fmt: skip


def let_editors_unlock(apps, schema_editor):
    grant(apps, "Editors", "axes", CODENAMES)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0003_editorial_groups"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(let_editors_unlock, migrations.RunPython.noop)]
