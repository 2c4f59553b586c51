import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hugo_import.importer import import_site
from hugo_import.site import HugoSite, HugoSiteError


class Command(BaseCommand):
    help = (
        "Import a Hugo site (its config and content/) into the blog: posts, translations, "
        "series, images and old addresses. Safe to run again after editing the source."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the Hugo site's folder")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would happen; save nothing"
        )
        parser.add_argument(
            "--json", type=Path, dest="report_path", metavar="REPORT", help="also write it as JSON"
        )
        parser.add_argument(
            "--author",
            help="the author of posts that name none, when the site config names none either "
            "(default: the first staff member)",
        )
        parser.add_argument(
            "--section",
            action="append",
            dest="sections",
            help="a content section to import, repeatable (default: params.mainSections or posts)",
        )

    def handle(self, *args, path, dry_run, report_path, sections, author, **options):
        try:
            site = HugoSite.load(path, sections=sections)
        except (HugoSiteError, OSError) as error:
            raise CommandError(str(error)) from error
        report = import_site(site, dry_run=dry_run, author=author)
        for line in report.lines():
            self.stdout.write(line)
        if report_path:
            report_path.write_text(dumps(report.as_dict()), encoding="utf-8")
            self.stdout.write(f"Report written to {report_path}")


def dumps(data):
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
