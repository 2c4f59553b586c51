import shutil
from pathlib import Path

import pytest

from hugo_import.importer import import_site
from hugo_import.site import HugoSite

FIXTURE_SITE = Path(__file__).resolve().parents[1] / "fixtures" / "hugo_site"


@pytest.fixture
def hugo_site(tmp_path):
    """A copy of the fixture site that a test may edit."""
    return Path(shutil.copytree(FIXTURE_SITE, tmp_path / "hugo_site"))


@pytest.fixture
def run_import(db):
    def run(path, dry_run=False):
        return import_site(HugoSite.load(path), dry_run=dry_run)

    return run


@pytest.fixture
def report(hugo_site, run_import):
    return run_import(hugo_site)

