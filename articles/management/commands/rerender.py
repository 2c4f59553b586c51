"""Render every stored article (each language) and series intro again, and say what changed.

Run by the deploy and by `make run` with --if-outdated: then it does nothing unless some
article was rendered by an older renderer (articles.rendering.RENDERER_VERSION).
"""

from django.apps import apps
from django.core.management.base import BaseCommand

from articles import search_index
from articles.models import Article
from articles.rendering import RENDERER_VERSION
from sitewide import changes


class Command(BaseCommand):
    help = "Render every stored article and series intro again; list those whose HTML changed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-outdated",
            action="store_true",
            help="only when an article was rendered by an older renderer version",
        )

    def handle(self, *args, if_outdated=False, **options):
        if if_outdated and not Article.rendered_by_an_older_renderer():
            self.stdout.write(f"Every article is rendered by renderer version {RENDERER_VERSION}.")
            return
        total = Article.objects.count()
        changed_articles = Article.rerender_all()
        # Series sit above articles (they import them): found through the registry, not imported.
        others = [
            (model, model.rerender_all())
            for model in apps.get_models()
            if model is not Article and hasattr(model, "rerender_all")
        ]
        if changed_articles:
            search_index.refresh([pk for pk, _slug, _languages in changed_articles])
        if changed_articles or any(changed for _model, changed in others):
            changed_keys = [f"article:{pk}" for pk, _slug, _languages in changed_articles]
            # No status, date, tag, author or part moved: no related reading is ranked again
            # (for a whole archive, minutes of the worker's time).
            changes.changed_only_in_rendering(*changed_keys, *changes.list_keys())
        self.stdout.write(
            f"Rendered {total} articles with renderer version {RENDERER_VERSION}: "
            f"{len(changed_articles)} changed."
        )
        for _pk, slug, languages in changed_articles:
            self.stdout.write(f"  changed: article {slug} ({', '.join(languages)})")
        for model, changed in others:
            for _pk, slug, languages in changed:
                name = model._meta.verbose_name
                self.stdout.write(f"  changed: {name} {slug} ({', '.join(languages)})")
