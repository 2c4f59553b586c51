"""How many cached pages one change makes stale: `python bench/invalidation.py`.

Against the bench data set (bench/dataset.py, DATABASE_URL) and Redis (REDIS_URL): warms a
sample of the site's pages in the page cache, makes one change of each kind as an editor
would (what follows a change runs at once, in this process), asks for every warmed page
again and counts the ones rendered again. Before precise invalidation every change made
every page stale. Prints a Markdown table; timings are not the point here, counts are.
"""

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
os.environ["PAGE_CACHE_SECONDS"] = "600"


def main():
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import transaction
    from django.test import Client, override_settings
    from django.utils import timezone

    from articles.models import Article, Author, Tag
    from series.models import Series

    # What follows a change runs here and now (as the worker would), without drawing cards.
    override_settings(
        TASKS={
            **settings.TASKS,
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        },
        SOCIAL_IMAGES=False,
    ).enable()
    rng = random.Random(1)  # noqa: S311
    client = Client(HTTP_HOST="127.0.0.1")
    live = list(Article.objects.live().order_by("-published_at").values_list("slug", flat=True))
    pages = [f"/en/?page={n}" for n in range(1, 21)] + ["/en/", "/en/feed/", "/en/archive/"]
    pages += [f"/en/posts/{slug}/" for slug in live[:100] + rng.sample(live[100:], 400)]
    pages += [f"/en/tags/{t}/" for t in Tag.objects.values_list("slug", flat=True)[:50]]
    pages += [f"/en/authors/{a}/" for a in Author.objects.values_list("slug", flat=True)[:20]]
    pages += [f"/en/series/{s}/" for s in Series.objects.values_list("slug", flat=True)[:10]]

    def warm():
        cache.clear()
        for url in pages:
            client.get(url)

    def stale():
        # Rendered again, or gone (a withdrawn article's page and a tag left empty).
        return sum(client.get(url).get("X-Page-Cache") != "hit" for url in pages)

    def publish():
        old = Article.objects.live().order_by("?").first()
        article = Article.objects.create(
            slug=f"bench-new-{time.time_ns()}",
            title_en="A new article",
            summary_en="New.",
            body_en="Body.",
            status="published",
            published_at=timezone.now(),
            author=old.author,
        )
        article.tags.set(old.tags.all()[:2])

    def edit():
        article = Article.objects.live().order_by("-published_at")[500]
        article.title_en = f"{article.title_en} (revised)"
        article.save()

    def unpublish():
        article = Article.objects.live().order_by("-published_at")[3]
        article.status = Article.Status.DRAFT
        article.save()

    def rename_tag():
        tag = Tag.objects.order_by("?").first()
        tag.name_en = f"{tag.name_en} renamed"
        tag.save()

    rows = []
    for name, change in [
        ("publish a new article (2 tags)", publish),
        ("edit an old article's title", edit),
        ("unpublish a recent article", unpublish),
        ("rename a tag", rename_tag),
    ]:
        warm()
        with transaction.atomic():
            change()
        rows.append((name, stale()))
    print(f"| change | pages re-rendered of {len(pages)} warm |")
    print("|---|---|")
    for name, count in rows:
        print(f"| {name} | {count} |")


if __name__ == "__main__":
    main()
