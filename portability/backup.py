"""One archive with everything the site holds: the database content and the media.

A zip with `database.json` (Django's serialisation with natural keys, so it loads into a
freshly migrated database), every media file under `media/`, and `manifest.json` last: the
SHA-256 and size of every other member, and the migrations the data was written under.

`restore` checks the whole archive before it touches anything, loads the data in one
transaction and moves the media into place from a staging folder as the last step of that
transaction: a damaged archive, a non-empty site or a failed load leaves everything as it was.
No secret is in the archive: SECRET_KEY, mail and database passwords live in the environment.
"""

import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.serializers import register_serializer
from django.core.serializers.base import DeserializationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from portability import serializers
from sitewide.changes import changed

register_serializer(serializers.FORMAT, "portability.serializers")

FORMAT = "engineering-insights-backup"
VERSION = 1
# Read back by loaddata, which knows the format by the file's extension.
DATABASE = f"database.{serializers.FORMAT}"
MANIFEST = "manifest.json"
MEDIA = "media/"
CHUNK = 1024 * 1024
# Rebuilt by `migrate` (content types, permissions) or not the site's content: sessions,
# login throttling records and the task queue.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes", "django_tasks_database"]
# Made by our migrations in every new database; loaded over by natural key, so they may exist.
MADE_BY_MIGRATIONS = {"auth.group"}
# Already-compressed media is stored as it is; text and the database are deflated.
STORED_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".avif", ".zip", ".gz", ".woff2"}


class BackupError(Exception):
    """The archive cannot be restored, or the site cannot take it; nothing was changed."""


def sha256_of(opened):
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: opened.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def media_root():
    return Path(settings.MEDIA_ROOT)


def media_files():
    root = media_root()
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def applied_migrations():
    found = {}
    for app, name in MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations():
        found.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(found.items())}


def dumped_models():
    excluded_apps = {label for label in EXCLUDED if "." not in label}
    excluded_models = {label for label in EXCLUDED if "." in label}
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in excluded_apps
        and model._meta.label_lower not in excluded_models
        and model._meta.managed
        and not model._meta.proxy
    ]


def write_backup(path):
    """Write the archive to `path` (a new file, via a temporary one beside it)."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    files = {}
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            with tempfile.TemporaryDirectory() as folder:
                dump = Path(folder) / DATABASE
                # One read transaction: rows that refer to each other are written as they were.
                with transaction.atomic():
                    call_command(
                        "dumpdata",
                        *(f"--exclude={label}" for label in EXCLUDED),
                        natural_foreign=True,
                        natural_primary=True,
                        format=serializers.FORMAT,
                        output=str(dump),
                        verbosity=0,
                    )
                    migrations = applied_migrations()
                add_file(archive, files, dump, DATABASE)
            for file in media_files():
                add_file(archive, files, file, MEDIA + file.relative_to(media_root()).as_posix())
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": datetime.now(UTC).isoformat(),
                "migrations": migrations,
                "files": files,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return manifest


def add_file(archive, files, source, name):
    compress = (
        zipfile.ZIP_STORED if Path(name).suffix.lower() in STORED_SUFFIXES else zipfile.ZIP_DEFLATED
    )
    with open(source, "rb") as opened:
        digest, size = sha256_of(opened)
    archive.write(source, name, compress_type=compress)
    files[name] = {"sha256": digest, "size": size}


# Restoring.


def safe_member(name):
    path = PurePosixPath(name)
    return not (path.is_absolute() or ".." in path.parts or "\\" in name or name.endswith("/"))


def read_manifest(archive):
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError as error:
        raise BackupError("not a backup of this site: it has no manifest.json") from error
    except (ValueError, zipfile.BadZipFile, OSError) as error:
        raise BackupError(f"the manifest is damaged: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("not a backup of this site: unknown format")
    if manifest.get("version") != VERSION:
        raise BackupError(f"backup format version {manifest.get('version')} is not supported")
    files = manifest.get("files")
    if not isinstance(files, dict) or DATABASE not in files:
        raise BackupError("the manifest lists no database")
    return manifest


def verify(archive, manifest):
    """Every member present, unchanged, and nothing unlisted or outside its folder."""
    listed = manifest["files"]
    present = {info.filename for info in archive.infolist() if not info.is_dir()}
    unlisted = sorted(present - set(listed) - {MANIFEST})
    if unlisted:
        raise BackupError(f"files not in the manifest: {', '.join(unlisted[:5])}")
    for name, expected in sorted(listed.items()):
        if not safe_member(name) or not (name == DATABASE or name.startswith(MEDIA)):
            raise BackupError(f"refusing a file outside the site's folders: {name!r}")
        if name not in present:
            raise BackupError(f"{name} is missing from the archive")
        try:
            with archive.open(name) as opened:
                digest, size = sha256_of(opened)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise BackupError(f"{name} is damaged: {error}") from error
        if (digest, size) != (expected.get("sha256"), expected.get("size")):
            raise BackupError(f"{name} is damaged: its checksum does not match the manifest")


def check_migrations(manifest):
    ours = applied_migrations()
    missing = sorted(
        f"{app}.{name}"
        for app, names in (manifest.get("migrations") or {}).items()
        for name in names
        if name not in ours.get(app, [])
    )
    if missing:
        raise BackupError(
            "the backup was made by a newer version of the site; this database lacks "
            f"{', '.join(missing[:5])}: update the code and run `manage.py migrate` first"
        )


def check_empty():
    """Restore goes into a new site: an empty, migrated database and an empty media folder."""
    full = [
        f"{model._meta.label} ({model._default_manager.count()})"
        for model in dumped_models()
        if model._meta.label_lower not in MADE_BY_MIGRATIONS and model._default_manager.exists()
    ]
    if full:
        raise BackupError(
            "the database is not empty: "
            + ", ".join(full[:6])
            + ". Restore into a new database (`manage.py migrate` on an empty one)."
        )
    if media_files():
        raise BackupError(f"the media folder {media_root()} is not empty")


def restore_backup(path):
    """Restore the archive at `path`; returns its manifest. Raises BackupError, changing nothing."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError as error:
        raise BackupError(f"{path}: no such file") from error
    except (zipfile.BadZipFile, OSError) as error:
        raise BackupError(f"{path} is not a backup archive or is damaged: {error}") from error
    with archive:
        manifest = read_manifest(archive)
        verify(archive, manifest)
        check_migrations(manifest)
        check_empty()
        root = media_root()
        root.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.restore-", dir=root.parent))
        try:
            for name in manifest["files"]:
                if name.startswith(MEDIA):
                    target = staging / "media" / name.removeprefix(MEDIA)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with archive.open(name) as source, target.open("wb") as out:
                        shutil.copyfileobj(source, out, CHUNK)
            dump = staging / DATABASE
            with archive.open(DATABASE) as source, dump.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
            try:
                load(dump, staging, root)
            except (DeserializationError, DatabaseError, ValueError) as error:
                message = " ".join(str(error).split())[:300]
                raise BackupError(f"the database content cannot be loaded: {message}") from error
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    after_restore()
    return manifest


def load(dump, staging, root):
    with transaction.atomic():
        call_command("loaddata", str(dump), verbosity=0)
        # The last step inside the transaction: if the move fails, no row stays.
        (staging / "media").mkdir(exist_ok=True)
        if root.exists():
            shutil.rmtree(root)  # checked above: no file in it, at most empty folders
        os.replace(staging / "media", root)


def after_restore():
    """What the database does not hold: SQLite's search tables, and cached pages of before."""
    call_command("rebuild_search_index", verbosity=0, stdout=io.StringIO())
    changed("all")


def summary(manifest):
    media = [name for name in manifest["files"] if name.startswith(MEDIA)]
    size = sum(entry["size"] for entry in manifest["files"].values())
    return f"database and {len(media)} media files, {size / 1e6:.1f} MB"
