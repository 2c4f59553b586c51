import logging

from django.core.files.images import get_image_dimensions
from django.core.files.storage import default_storage
from django.db import migrations, models

import sitewide.images

logger = logging.getLogger(__name__)


def keep_sizes_and_renditions(apps, schema_editor):
    """Sizes stay; a cover that had a size had its renditions made; the rest get their size.

    Values and updates only: loading a row whose cover has no size would make Django read it.
    """
    Article = apps.get_model("articles", "Article")
    covered = Article.objects.exclude(cover_image="")
    for pk, name in covered.filter(cover_width__isnull=False).values_list("pk", "cover_image"):
        Article.objects.filter(pk=pk).update(cover_renditions_of=name)
    for pk, name in covered.filter(cover_width__isnull=True).values_list("pk", "cover_image"):
        try:
            with default_storage.open(name, "rb") as image:
                width, height = get_image_dimensions(image)
        except OSError as error:
            # Left without a size: reading the article will try again, as before this migration.
            logger.warning("Cover %s of article %s not read: %s", name, pk, error)
            continue
        Article.objects.filter(pk=pk).update(cover_width=width, cover_height=height)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_i28_demo_covers_unguessable"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="cover_renditions_of",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AlterField(
            model_name="article",
            name="cover_image",
            field=models.ImageField(
                blank=True,
                height_field="cover_height",
                storage=sitewide.images.content_addressed_storage,
                upload_to="covers/",
                verbose_name="cover image",
                width_field="cover_width",
            ),
        ),
        migrations.RunPython(keep_sizes_and_renditions, migrations.RunPython.noop),
    ]
