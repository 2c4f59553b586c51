"""Editors see failed logins and lockouts (django-axes) and unlock by deleting an attempt."""

from django.db import migrations

CODENAMES = [
    "view_accessattempt", "delete_accessattempt", "view_accessfailurelog", "view_accesslog",
]  # fmt: skip


def let_editors_unlock(apps, schema_editor):
    groups_migration = __import__(
        "articles.migrations.0003_editorial_groups", fromlist=["create_groups"]
    )
    # Makes the groups and every app's permissions if they are not there yet.
    groups_migration.create_groups(apps, schema_editor)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.get(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="axes", codename__in=CODENAMES)
    )


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0003_editorial_groups"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(let_editors_unlock, migrations.RunPython.noop)]
