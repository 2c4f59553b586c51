from django.core.management.base import BaseCommand, CommandError

from portability.backup import BackupError, restore_backup, summary


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup` into an empty, migrated database and an empty "
        "media folder. The whole archive is checked first; a damaged one changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive written by `manage.py backup`")

    def handle(self, *args, path, **options):
        try:
            manifest = restore_backup(path)
        except BackupError as error:
            raise CommandError(f"Nothing was restored: {error}") from error
        self.stdout.write(f"Restored {summary(manifest)} from {manifest['created_at']}")
