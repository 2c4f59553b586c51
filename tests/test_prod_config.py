"""deploy/nginx.conf is a template that deploy/prod.py fills for each run."""

import argparse
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

PROD = Path(__file__).resolve().parent.parent / "deploy" / "prod.py"


@pytest.fixture
def prod():
    spec = importlib.util.spec_from_file_location("prod", PROD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_config_gets_this_runs_address_and_every_app_server(prod, tmp_path):
    run_dir = tmp_path / "run"
    args = argparse.Namespace(
        run_dir=run_dir,
        listen="127.0.0.2",
        port=8190,
        app_ports="9101,9102,9103",
        cache_size="3g",
    )
    text = prod.nginx_config(args, {"MEDIA_ROOT": str(tmp_path / "media")}).read_text()
    assert "listen 127.0.0.2:8190;" in text
    servers = [line.strip() for line in text.splitlines() if line.strip().startswith("server 1")]
    assert servers == [f"server 127.0.0.1:{port};" for port in (9101, 9102, 9103)]
    [cache_path] = [line for line in text.splitlines() if "proxy_cache_path" in line]
    assert "max_size=3g " in cache_path
    assert "{{" not in text
    assert "{%" not in text
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx:
        checked = subprocess.run(
            [nginx, "-t", "-p", str(run_dir), "-c", "nginx.conf"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("size", ["", "0", "4 g", "4gb", "-1g", "4g; user root", "1.5g"])
def test_a_cache_size_nginx_would_refuse_is_refused_before_nginx_starts(prod, size, capsys):
    with pytest.raises(SystemExit) as stopped:
        prod.arguments([f"--cache-size={size}"])
    assert stopped.value.code == 2
    assert "is not a size such as 512m or 4g" in capsys.readouterr().err


@pytest.mark.parametrize("size", ["512m", "4g", "1048576", "900M"])
def test_a_cache_size_in_nginx_syntax_is_taken(prod, size):
    assert prod.arguments(["--cache-size", size]).cache_size == size


def test_nginx_keeps_only_addresses_made_of_the_parameters_views_read(settings):
    import re

    text = PROD.with_name("nginx.conf").read_text()
    [pattern] = re.findall(r'"~\^\(\?:([a-z_|]+)\)=', text)
    assert set(pattern.split("|")) == set(settings.PAGE_CACHE_QUERY_PARAMETERS)


def test_only_the_purge_port_refreshes_and_it_listens_on_this_machine_only(prod, tmp_path):
    if not prod.PURGE_MODULE.exists():
        pytest.skip("no cache-purge module: no purge port")
    args = argparse.Namespace(
        run_dir=tmp_path / "run",
        listen="0.0.0.0",  # noqa: S104 (a config written, nothing bound)
        port=8190,
        app_ports="9101",
        purge_port=8191,
        cache_size="4g",
    )
    text = prod.nginx_config(args, {"MEDIA_ROOT": str(tmp_path / "media")}).read_text()
    readers, internal = text.split("listen 127.0.0.1:8191;")
    assert "listen 0.0.0.0:8190;" in readers
    assert "allow 127.0.0.1;\n        deny all;" in internal
    # Nothing a reader sends makes nginx pass its copy by but credentials and per-reader
    # addresses (which nginx never keeps); the refresh's unconditional bypass is internal.
    [bypass] = [line.strip() for line in readers.splitlines() if "proxy_cache_bypass" in line]
    assert bypass == (
        "proxy_cache_bypass $cookie_sessionid $http_authorization $odd_query $per_reader;"
    )
    assert "x_refresh" not in readers
    assert "proxy_cache_bypass 1;" in internal
    # Both ask for pages the same way, into the same copies.
    shared = (args.run_dir / "proxy_pages.conf").read_text()
    assert (
        readers.count("include proxy_pages.conf;")
        == internal.count("include proxy_pages.conf;")
        == 1
    )
    assert "proxy_cache pages;" in shared
    assert "proxy_cache_key $request_uri$activitypub;" in shared
