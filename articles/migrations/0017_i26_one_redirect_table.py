"""One table for every redirect (issue 26): SlugRedirect's rows move into Redirect, whose other
rows (hugo_import.OldAddress's) come over in hugo_import 0003; the Editors' rights follow.

Reversible: going back puts every old slug, with its article and time, into SlugRedirect again.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from sitewide import permissions

ACTIONS = ["add", "change", "delete", "view"]
OLD = [f"{action}_slugredirect" for action in ACTIONS]
NEW = [f"{action}_redirect" for action in ACTIONS]
# SlugRedirect's columns besides its id and time (kind "article" and no path, by default).
COLUMNS = ["old_slug", "article_id"]


def copy_rows(rows, target, columns):
    """Each row as a `target` row with these columns, its time kept as it was (a created-time
    field would otherwise stamp the copy with now)."""
    for row in rows.order_by("pk"):
        made = target.objects.create(**{name: getattr(row, name) for name in columns})
        target.objects.filter(pk=made.pk).update(created_at=row.created_at)


def slug_redirects_in(apps, schema_editor):
    copy_rows(
        apps.get_model("articles", "SlugRedirect").objects.all(),
        apps.get_model("articles", "Redirect"),
        COLUMNS,
    )


def slug_redirects_out(apps, schema_editor):
    copy_rows(
        apps.get_model("articles", "Redirect").objects.filter(old_slug__isnull=False),
        apps.get_model("articles", "SlugRedirect"),
        COLUMNS,
    )


def grant(apps, schema_editor):
    permissions.grant(apps, "Editors", "articles", NEW)
    permissions.revoke(apps, "Editors", "articles", OLD)


def grant_back(apps, schema_editor):
    permissions.grant(apps, "Editors", "articles", OLD)
    permissions.revoke(apps, "Editors", "articles", NEW)


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0016_related_reading_stored'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='Redirect',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('old_slug', models.SlugField(blank=True, help_text='A former slug of the article: its old address in every language.', max_length=200, null=True, unique=True, verbose_name='old slug')),
                ('path', models.CharField(blank=True, help_text='An exact address of the old site, such as /2019/05/a-post/.', max_length=500, null=True, unique=True, validators=[django.core.validators.RegexValidator('^/', 'An address starts with a slash.')], verbose_name='old address')),
                ('kind', models.CharField(choices=[('article', 'article'), ('home', 'list of articles'), ('feed', 'feed'), ('archive', 'archive'), ('search', 'search'), ('tags', 'tags'), ('tag', 'tag'), ('tag_feed', 'tag feed'), ('series_list', 'series'), ('series', 'one series'), ('series_feed', 'series feed'), ('authors', 'authors'), ('author', 'author'), ('author_feed', 'author feed')], default='article', max_length=16, verbose_name='leads to')),
                ('slug', models.CharField(blank=True, max_length=200, verbose_name='slug')),
                ('first_item', models.PositiveIntegerField(default=0, verbose_name='first entry')),
                ('language', models.CharField(blank=True, choices=[('en', 'English'), ('ru', 'Russian')], max_length=8, verbose_name='language')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('article', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='redirects', to='articles.article', verbose_name='article')),
            ],
            options={
                'verbose_name': 'redirect',
                'verbose_name_plural': 'redirects',
                'ordering': ['path', 'old_slug'],
            },
        ),
        migrations.AddConstraint(
            model_name='redirect',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'article'), ('language', ''), ('old_slug__isnull', False), ('path__isnull', True)), models.Q(('old_slug__isnull', True), ('path__isnull', False), models.Q(('language', ''), _negated=True)), _connector='OR'), name='redirect_old_slug_or_path', violation_error_message='Give either an old slug (of an article, no language) or an old address with its language.'),
        ),
        migrations.AddConstraint(
            model_name='redirect',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('article__isnull', False), ('kind', 'article')), models.Q(models.Q(('kind', 'article'), _negated=True), ('article__isnull', True)), _connector='OR'), name='redirect_article_iff_kind_article', violation_error_message='An article is chosen exactly when the redirect leads to an article.'),
        ),
        migrations.RunPython(slug_redirects_in, slug_redirects_out),
        migrations.RunPython(grant, grant_back),
        migrations.DeleteModel(
            name='SlugRedirect',
        ),
    ]
