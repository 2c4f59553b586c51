"""The SQLite test database as the migrations leave it, kept between runs.

Every xdist worker used to run all the migrations into its own empty file at the start of
every run: seconds of CPU for the same result each time. The first run after a migration
changes saves the migrated file in pytest's cache; later runs copy it instead. The key is
every migration file of every installed app (ours and the libraries'), so a changed or
added migration, or a change to the project's code a migration imports (the helpers its data
steps run), makes a new template. Django's setup still runs `migrate` over the copy (a
few queries when nothing is new) and the post-migrate steps (content types, permissions).

The migrations themselves still run from an empty database whenever the key changes (in
every worker of a fresh clone's run, as in CI), and tests/sitewide/test_sitewide_settings_move.py
runs them backwards and forwards; tests/security/test_security_sqlite_concurrency.py starts
its site from the template too.
"""

import hashlib
import os
import re
import sqlite3
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import connections

CACHE_DIRECTORY = "sqlite-migrated-template"


IMPORT = re.compile(r"^(?:from\s+([\w.]+)\s+import\s+([\w, ]+)|import\s+([\w.]+))", re.MULTILINE)


def project_modules_used_by(source):
    """The project's own modules a migration imports (the code its RunPython steps run)."""
    root = Path(settings.BASE_DIR).resolve()
    for package, names, module in IMPORT.findall(source):
        candidates = (
            [module] if module else [package, *(f"{package}.{n.strip()}" for n in names.split(","))]
        )
        for name in candidates:
            try:
                spec = find_spec(name)
            except (ImportError, ValueError):
                continue
            origin = Path(spec.origin).resolve() if spec and spec.has_location else None
            if origin and origin.is_relative_to(root) and ".venv" not in origin.parts:
                yield origin


def migrations_key():
    """Every migration file of every installed app, and the project's modules they import."""
    digest = hashlib.sha256(django.get_version().encode())
    used = set()
    for app_config in sorted(apps.get_app_configs(), key=lambda config: config.label):
        name = f"{app_config.name}.migrations"
        if find_spec(app_config.name) is None or find_spec(name) is None:
            continue
        folder = Path(import_module(name).__file__).parent
        for path in sorted(folder.rglob("*.py")):
            source = path.read_bytes()
            digest.update(f"{app_config.label}/{path.relative_to(folder)}\0".encode())
            digest.update(source)
            used.update(project_modules_used_by(source.decode()))
    for path in sorted(used):
        digest.update(f"{path}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def template_path(config):
    """Where this set of migrations' template lives; None when it cannot be kept."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3" or getattr(config, "cache", None) is None:
        return None
    if not database.get("TEST", {}).get("NAME"):
        return None  # an in-memory test database: nothing to copy into
    return config.cache.mkdir(CACHE_DIRECTORY) / f"{migrations_key()}.sqlite3"


def copy(source, target):
    """A consistent copy through SQLite's backup API (the database is in WAL mode)."""
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy_:
        origin.backup(copy_)
    origin.close()
    copy_.close()


def restore(config, target=None):
    """Copy the template into this worker's test database (or into `target`, a new SQLite
    file); False when there is none yet."""
    template = template_path(config)
    if template is None or not template.exists():
        return False
    target = Path(target or settings.DATABASES["default"]["TEST"]["NAME"])
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    copy(template, target)
    return True


def save(config):
    """Keep the freshly migrated test database as the template (atomically: workers race)."""
    template = template_path(config)
    if template is None or template.exists():
        return
    connections["default"].close()
    partial = template.with_name(f"{template.name}.{os.getpid()}.partial")
    copy(connections["default"].settings_dict["NAME"], partial)
    os.replace(partial, template)
    for old in template.parent.glob("*.sqlite3"):
        if old != template:
            old.unlink(missing_ok=True)
