"""OldAddress's rows move into articles.Redirect, the one table every redirect is answered
from (issue 26). Reversible: going back puts every old path, column by column, here again."""

from django.db import migrations

# Every column of OldAddress but its id.
COLUMNS = ["path", "kind", "article_id", "slug", "first_item", "language"]


def copy_rows(rows, target):
    target.objects.bulk_create(
        (target(**{name: getattr(row, name) for name in COLUMNS}) for row in rows.order_by("pk")),
        batch_size=500,
    )


def addresses_in(apps, schema_editor):
    copy_rows(
        apps.get_model("hugo_import", "OldAddress").objects.all(),
        apps.get_model("articles", "Redirect"),
    )


def addresses_out(apps, schema_editor):
    paths = apps.get_model("articles", "Redirect").objects.filter(path__isnull=False)
    copy_rows(paths, apps.get_model("hugo_import", "OldAddress"))
    paths.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('hugo_import', '0002_list_addresses'),
        ('articles', '0017_i26_one_redirect_table'),
    ]

    operations = [
        migrations.RunPython(addresses_in, addresses_out),
        migrations.DeleteModel(
            name='OldAddress',
        ),
    ]
