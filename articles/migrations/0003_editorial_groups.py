"""The «Authors» and «Editors» groups. Safe to run again: it only adds what is missing."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    # Authors write their own articles (the admin limits them to their own, unpublished ones).
    "Authors": [
        "add_article", "change_article", "delete_article", "view_article",
        "add_tag", "view_tag", "view_author",
    ],
    # Editors see everything, publish, and keep authors, tags and redirects in order.
    "Editors": [
        "add_article", "change_article", "delete_article", "view_article", "publish_article",
        "add_author", "change_author", "delete_author", "view_author",
        "add_tag", "change_tag", "delete_tag", "view_tag",
        "add_slugredirect", "change_slugredirect", "delete_slugredirect", "view_slugredirect",
    ],
}


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        # Historical app configs have no models module, which create_permissions skips.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="articles", codename__in=codenames
        )
        group.permissions.add(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0002_editorial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
