"""The «Authors» and «Editors» groups. Safe to run again: it only adds what is missing."""

from django.db import migrations

from sitewide.permissions import grant

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
    for name, codenames in GROUPS.items():
        grant(apps, name, "articles", codenames)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0002_editorial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
