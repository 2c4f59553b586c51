"""A production-like copy of the site on localhost, for audits and screenshots.

DEBUG off, collected and compressed static files, gunicorn, a throwaway SQLite database
with the demo content. Used as a context manager: `with production_like_site() as url:`.
"""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the site did not start on {url}")


@contextlib.contextmanager
def production_like_site():
    with tempfile.TemporaryDirectory() as workdir:
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": f"sqlite:///{workdir}/audit.sqlite3",
            "MEDIA_ROOT": f"{workdir}/media",
            "SERVE_MEDIA": "true",
        }
        env.pop("REDIS_URL", None)
        manage = [str(BIN / "python"), str(ROOT / "manage.py")]
        for command in (
            ["collectstatic", "--noinput", "-v0"],
            ["migrate", "--noinput", "-v0"],
            ["load_demo", "-v0"],
            ["load_demo_series", "-v0"],
        ):
            subprocess.run([*manage, *command], env=env, check=True, cwd=ROOT)
        port = free_port()
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "blogsite.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)
