"""An article, tag or series may exist in one language only (no language's title is required),
and the languages an article is kept off become a list of codes instead of comma-separated text,
so asking about one language can never match another's letters."""

from django.db import migrations, models

import articles.fields


def text_to_list(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.exclude(hidden_languages="").only("hidden_languages"):
        codes = article.hidden_languages.replace(",", " ").split()
        # Every code kept, in the order written, each once: the article stays exactly as it was.
        article.hidden_language_codes = list(dict.fromkeys(codes))
        article.save(update_fields=["hidden_language_codes"])


def list_to_text(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.only("hidden_language_codes"):
        if article.hidden_language_codes:
            article.hidden_languages = ",".join(article.hidden_language_codes)
            article.save(update_fields=["hidden_languages"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_cover_size_from_the_image_field"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="article", name="article_live_listed"),
        migrations.AddField(
            model_name="article",
            name="hidden_language_codes",
            field=articles.fields.LanguageCodesField(blank=True, default=list),
        ),
        migrations.RunPython(text_to_list, list_to_text, elidable=False),
        migrations.RemoveField(model_name="article", name="hidden_languages"),
        migrations.RenameField(
            model_name="article", old_name="hidden_language_codes", new_name="hidden_languages"
        ),
        migrations.AlterField(
            model_name="article",
            name="hidden_languages",
            field=articles.fields.LanguageCodesField(
                blank=True,
                default=list,
                help_text="Languages whose listings, search and feeds leave this article out.",
                verbose_name="not listed in",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["status", "published_at", "hidden_languages"], name="article_live_listed"
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="title",
            field=models.CharField(blank=True, max_length=200, verbose_name="title"),
        ),
        migrations.AlterField(
            model_name="article",
            name="title_en",
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AlterField(
            model_name="article",
            name="title_ru",
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AlterField(
            model_name="tag",
            name="name",
            field=models.CharField(blank=True, max_length=60, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="tag",
            name="name_en",
            field=models.CharField(blank=True, max_length=60, null=True, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="tag",
            name="name_ru",
            field=models.CharField(blank=True, max_length=60, null=True, verbose_name="name"),
        ),
    ]
