"""What deploy/prod.py (and so the Docker image) does for an operator (issue 28).

A process that exits is started again with a line, within a budget and then once a minute,
never stopping the others; a Redis without a memory cap gets one (make prod) or a line
saying what to set; the image holds every app the settings name.
"""

import importlib.util
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from redis_server import redis_server

ROOT = Path(__file__).resolve().parent.parent
PROD = ROOT / "deploy" / "prod.py"


@pytest.fixture
def prod():
    spec = importlib.util.spec_from_file_location("prod", PROD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Process:
    """A supervised process as keep_running sees it: its command and whether it exited."""

    def __init__(self, *args, code=None):
        self.args = list(args)
        self.code = code

    def poll(self):
        return self.code


def test_a_process_that_keeps_exiting_waits_a_minute_and_the_others_keep_serving(prod, capsys):
    started = []

    def start(args, env):
        started.append(args)
        return Process(*args, code=1)  # it exits again at once

    nginx = Process("nginx", "-p", "run/")
    processes = [Process("python", "manage.py", "run_worker", code=1), nginx]
    restarts = {}
    for second in range(prod.RESTART_BUDGET + 3):
        prod.keep_running(processes, restarts, {}, now=100.0 + second, start=start)

    assert len(started) == prod.RESTART_BUDGET  # then it waits
    assert processes[1] is nginx  # untouched
    out = capsys.readouterr().out
    assert out.count("Restarting python manage.py run_worker: it exited with 1.") == 5
    assert out.count("exited 6 times within a minute (last with 1): next start in 59 s") == 1

    # A minute after its last start, it gets its next go.
    prod.keep_running(processes, restarts, {}, now=100.0 + 4 + prod.RESTART_WINDOW, start=start)
    assert len(started) == prod.RESTART_BUDGET + 1


def local_apps():
    return sorted(
        {
            app.split(".")[0]
            for app in settings.INSTALLED_APPS
            if (ROOT / app.split(".")[0]).is_dir()
        }
    )


def test_the_docker_image_holds_every_app_the_settings_name():
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (ROOT / "Dockerfile").read_text(), re.M))
    assert set(local_apps()) <= copied, sorted(set(local_apps()) - copied)


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of this test's own, as it comes: no memory cap."""
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server")
    with redis_server(tmp_path, decode_responses=True) as (port, client):
        yield f"redis://127.0.0.1:{port}/0", client


def test_make_prod_gives_a_redis_without_a_cap_one_that_evicts(prod, own_redis):
    url, client = own_redis

    said = prod.cap_redis_memory(url, "64mb")

    assert said == "Redis: maxmemory 64mb, maxmemory-policy allkeys-lru."
    config = client.config_get("maxmemory*")
    assert (config["maxmemory"], config["maxmemory-policy"]) == (str(64 << 20), "allkeys-lru")
    # Once capped, an operator's own setting is left alone.
    client.config_set("maxmemory", "1gb")
    assert prod.cap_redis_memory(url, "64mb") is None
    assert client.config_get("maxmemory")["maxmemory"] == str(1 << 30)


def test_without_a_cap_to_give_the_launcher_says_what_to_set(prod, own_redis):
    url, client = own_redis

    said = prod.cap_redis_memory(url, "")

    assert "maxmemory" in said
    assert "allkeys-lru" in said
    assert client.config_get("maxmemory")["maxmemory"] == "0"  # nothing changed
