import os
import shutil

import pytest

# Playwright's sync API runs an event loop; the ORM calls in these tests stay synchronous.
# (Set for the session: the database flush after each test runs beside that loop too.)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a browser downloaded by the test tool.
    executable = shutil.which("chromium-headless-shell")
    if executable is None:
        pytest.fail("Chromium is missing: `apt-get install -y chromium` (make test does this).")
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_FLAGS}


@pytest.fixture
def site(live_server, settings):
    # Links are built from SITE_URL: here, the live server the browser talks to.
    settings.SITE_URL = live_server.url
    return live_server.url
