from django.core.management.base import BaseCommand, CommandError

from portability.hugo_export import ExportError, export_to


class Command(BaseCommand):
    help = (
        "Write the whole blog (drafts and scheduled articles included) as a Hugo site into "
        "PATH, a new or empty folder: hugo.toml, page bundles with their images, old addresses "
        "as aliases. `hugo --source PATH` builds it; `import_hugo PATH` reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            report = export_to(path)
        except (ExportError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Hugo site written to {path}: {report.summary()}")
