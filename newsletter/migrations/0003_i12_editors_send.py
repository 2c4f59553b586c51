"""The «Editors» group sends the newsletter: compose, preview, test, schedule, send, watch.

Authors get nothing here. Safe to run again: it only adds what is missing.
"""

from django.db import migrations

from sitewide.permissions import grant

EDITORS = [
    "add_issue", "change_issue", "view_issue", "send_issue",
    "view_delivery", "view_subscriber",
]


def give_editors_the_newsletter(apps, schema_editor):
    grant(apps, "Editors", "newsletter", EDITORS)


class Migration(migrations.Migration):

    dependencies = [
        ("newsletter", "0002_i12_delivery"),
        ("articles", "0003_editorial_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(give_editors_the_newsletter, migrations.RunPython.noop)]
