from django.core.management.base import BaseCommand, CommandError

from portability.backup import BackupError, summary, write_backup


class Command(BaseCommand):
    help = (
        "Write one archive (zip) with the database content (articles, series, subscribers and "
        "their consent, deliveries, revisions, users) and all media, with a SHA-256 per file. "
        "No secret is in it; keep it as private as the database itself."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to write (a new file)")

    def handle(self, *args, path, **options):
        try:
            manifest = write_backup(path)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written to {path}: {summary(manifest)}")
