"""Demo covers stored as covers/demo-<slug>.png move to unguessable names (issue 28, 16).

The demo loader used to name a cover after its article's slug, so a scheduled demo article's
cover (and its renditions) could be fetched before publication by anyone who read the demo
content. Each moves to the name an uploaded cover gets (a keyed hash of its bytes); the old
file and its renditions are deleted, the new renditions made.
"""

import posixpath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations

from sitewide.images import RENDITIONS_PATH, content_addressed_storage, make_renditions


def rename_demo_covers(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    storage = content_addressed_storage()
    renamed = False
    for article in Article.objects.filter(cover_image__startswith="covers/demo-"):
        old = article.cover_image.name
        if storage.exists(old):
            with storage.open(old) as file:
                data = file.read()
            new = storage.save("covers/cover.png", ContentFile(data, name="cover.png"))
        else:
            new = ""  # nothing to show under any name
        Article.objects.filter(pk=article.pk).update(cover_image=new)
        article.cover_image = new
        if new:
            make_renditions(article.cover_image)
        stem = posixpath.splitext(posixpath.basename(old))[0]
        if default_storage.exists(RENDITIONS_PATH):
            for name in default_storage.listdir(RENDITIONS_PATH)[1]:
                if name.startswith(f"{stem}-") and name.endswith("w.webp"):
                    default_storage.delete(RENDITIONS_PATH + name)
        if storage.exists(old):
            storage.delete(old)
        renamed = True
    if renamed:
        # Cached pages name the old files.
        from sitewide.caching import bump_content_version

        bump_content_version()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_article_renderer_version"),
    ]

    operations = [migrations.RunPython(rename_demo_covers, migrations.RunPython.noop)]
