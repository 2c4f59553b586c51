"""SiteSettings now lives in `sitewide` (its migration 0001 took the table over)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0008_merge_i13_i14_i15"),
        ("sitewide", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SiteSettings")],
        ),
    ]
