"""The «Editors» group sends the newsletter: compose, preview, test, schedule, send, watch.

Authors get nothing here. Safe to run again: it only adds what is missing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = [
    "add_issue", "change_issue", "view_issue", "send_issue",
    "view_delivery", "view_subscriber",
]


def give_editors_the_newsletter(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs them now.
    app_config = apps.get_app_config("newsletter")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="newsletter", codename__in=EDITORS)
    )


class Migration(migrations.Migration):

    dependencies = [
        ("newsletter", "0002_i12_delivery"),
        ("articles", "0003_editorial_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(give_editors_the_newsletter, migrations.RunPython.noop)]
