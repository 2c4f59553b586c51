"""What an import did: counts, skipped posts with reasons, and every warning."""

from collections import Counter
from dataclasses import asdict, dataclass, field


@dataclass
class ReportWarning:
    kind: str
    file: str
    line: int | None
    message: str

    def __str__(self):
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.kind}: {self.message}"


@dataclass
class Report:
    dry_run: bool = False
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # {"file", "reason"}
    warnings: list = field(default_factory=list)
    redirects: int = 0
    list_redirects: int = 0  # Hugo's list pages and feeds
    authors_created: list = field(default_factory=list)
    series_created: list = field(default_factory=list)
    tags_created: list = field(default_factory=list)
    images: int = 0
    notes: list = field(default_factory=list)  # what the whole run decided, in a sentence each

    def warn(self, kind, file, message, line=None):
        self.warnings.append(ReportWarning(kind=kind, file=str(file), line=line, message=message))

    def warnings_of(self, kind):
        return [warning for warning in self.warnings if warning.kind == kind]

    def skip(self, file, reason):
        self.skipped.append({"file": str(file), "reason": reason})

    @property
    def counts(self):
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "skipped": len(self.skipped),
            "warnings": len(self.warnings),
            "redirects": self.redirects,
            "list_redirects": self.list_redirects,
            "images": self.images,
            "authors_created": len(self.authors_created),
            "tags_created": len(self.tags_created),
            "series_created": len(self.series_created),
        }

    def as_dict(self):
        return {
            "dry_run": self.dry_run,
            "counts": self.counts,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "warnings": [asdict(warning) for warning in self.warnings],
            "authors_created": self.authors_created,
            "tags_created": self.tags_created,
            "series_created": self.series_created,
            "notes": self.notes,
        }

    def lines(self):
        counts = self.counts
        yield ("Dry run: nothing was saved. " if self.dry_run else "") + (
            f"{counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['skipped']} skipped; "
            f"{counts['redirects']} old addresses, {counts['list_redirects']} old list pages "
            f"and feeds, {counts['images']} images."
        )
        yield from self.notes
        for name in ("authors_created", "tags_created", "series_created"):
            if getattr(self, name):
                label = name.replace("_", " ").capitalize()
                yield f"{label}: {', '.join(getattr(self, name))}"
        for skipped in self.skipped:
            yield f"skipped {skipped['file']}: {skipped['reason']}"
        kinds = Counter(warning.kind for warning in self.warnings)
        if kinds:
            yield "Warnings: " + ", ".join(f"{count} {kind}" for kind, count in kinds.items())
        for warning in self.warnings:
            yield f"  {warning}"
