import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hugo_import", "0001_i16_hugo_import"),
    ]

    operations = [
        migrations.AlterField(
            model_name="oldaddress",
            name="article",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="old_addresses",
                to="articles.article",
                verbose_name="article",
            ),
        ),
        migrations.AddField(
            model_name="oldaddress",
            name="kind",
            field=models.CharField(
                choices=[
                    ("article", "article"),
                    ("home", "list of articles"),
                    ("feed", "feed"),
                    ("archive", "archive"),
                    ("search", "search"),
                    ("tags", "tags"),
                    ("tag", "tag"),
                    ("tag_feed", "tag feed"),
                    ("series_list", "series"),
                    ("series", "one series"),
                    ("series_feed", "series feed"),
                    ("authors", "authors"),
                    ("author", "author"),
                    ("author_feed", "author feed"),
                ],
                default="article",
                max_length=16,
                verbose_name="leads to",
            ),
        ),
        migrations.AddField(
            model_name="oldaddress",
            name="slug",
            field=models.CharField(blank=True, max_length=200, verbose_name="slug"),
        ),
        migrations.AddField(
            model_name="oldaddress",
            name="first_item",
            field=models.PositiveIntegerField(default=0, verbose_name="first entry"),
        ),
        migrations.AddConstraint(
            model_name="oldaddress",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("article__isnull", False), ("kind", "article")),
                    models.Q(models.Q(("kind", "article"), _negated=True), ("article__isnull", True)),
                    _connector="OR",
                ),
                name="old_address_article_iff_kind_article",
            ),
        ),
    ]
