import os
import subprocess
import sys
from pathlib import Path

import pytest

MANAGE_PY = Path(__file__).resolve().parents[1] / "manage.py"


def production_like_environment(**env):
    # Only what the deployment sets: no test-only switches leak into these processes.
    skipped = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in skipped}
    environment.update(env)
    return environment


def import_settings(**env):
    return subprocess.run(
        [sys.executable, "-c", "import blogsite.settings"],
        env=production_like_environment(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = import_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("key", ["short", "dev-only-insecure-key-never-use-in-production"])
def test_production_refuses_a_weak_secret_key(key):
    result = import_settings(DEBUG="false", SECRET_KEY=key)
    assert result.returncode != 0
    assert "real secret" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = import_settings(DEBUG="false", SECRET_KEY="k" * 60)
    assert result.returncode == 0, result.stderr


def test_development_starts_with_nothing_set():
    assert import_settings().returncode == 0


def test_production_settings_pass_the_deploy_check():
    environment = production_like_environment(
        DEBUG="false",
        SECRET_KEY="a-real-looking-secret-key-9f8e7d6c5b4a3928171615141312111009",
        ALLOWED_HOSTS="blog.example.org",
    )
    result = subprocess.run(
        [sys.executable, str(MANAGE_PY), "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
