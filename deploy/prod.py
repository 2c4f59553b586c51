"""`make prod`: the production topology, run for real on one machine.

nginx (Debian's package) on http://127.0.0.1:8080 with deploy/nginx.conf, caching in front of
two gunicorn app servers; PostgreSQL (DATABASE_URL, default the local server) and Redis
(REDIS_URL); the task worker; production settings (DEBUG off). Ctrl-C stops all of it.

The Dockerfile runs this same script, with `--listen 0.0.0.0`.
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import gunicorn
from django.template import Context, Engine

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONF = ROOT / "deploy" / "nginx.conf"
PROXY_PAGES = ROOT / "deploy" / "nginx-proxy-pages.conf"
MANAGE = [str(BIN / "python"), str(ROOT / "manage.py")]


def nginx_size(text):
    """A size as nginx reads one (4g, 512m, 1048576), refused here rather than by nginx."""
    if not re.fullmatch(r"[1-9][0-9]*[kKmMgG]?", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a size such as 512m or 4g")
    return text


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1", help="nginx's address")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PROD_PORT", 8080)))
    parser.add_argument(
        "--app-ports",
        default=os.environ.get("PROD_APP_PORTS", "8101,8102"),
        help="one gunicorn app server per port, comma-separated",
    )
    parser.add_argument(
        "--purge-port",
        type=int,
        default=int(os.environ.get("PROD_PURGE_PORT", 0)) or None,
        help="nginx's purge port, on 127.0.0.1 only (default: --port + 1)",
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("PROD_WORKERS", 2)))
    parser.add_argument("--run-dir", type=Path, default=ROOT / ".prod")
    parser.add_argument(
        "--demo", action="store_true", help="load the demo content into an empty database"
    )
    parser.add_argument(
        "--cache-size",
        type=nginx_size,
        default=os.environ.get("PROD_CACHE_SIZE", "4g"),
        help="the most disk nginx's page cache may take (nginx's size syntax: 512m, 4g)",
    )
    parser.add_argument(
        "--redis-maxmemory",
        default=os.environ.get("PROD_REDIS_MAXMEMORY", ""),
        help="give a Redis without a memory cap this one (e.g. 256mb), evicting with LRU",
    )
    return parser.parse_args(argv)


def secret_key(run_dir):
    """One key per run directory, kept, so sessions and signed links survive a restart."""
    path = run_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# Debian's libnginx-mod-http-cache-purge (the Makefile's nginx target installs it).
PURGE_MODULE = Path("/usr/lib/nginx/modules/ngx_http_cache_purge_module.so")


def purge_port(args):
    return getattr(args, "purge_port", None) or args.port + 1


def production_env(args):
    env = dict(os.environ)
    env.setdefault("PAGE_INVALIDATION_QUEUE", "pages")
    if PURGE_MODULE.exists():
        # nginx may keep pages for an hour: every change purges the pages that show it.
        env.setdefault("PAGE_PURGER", "sitewide.purge.NginxPurger")
        env.setdefault("PAGE_PURGE_URL", f"http://127.0.0.1:{purge_port(args)}/_purge")
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/blog")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    env.setdefault("SECRET_KEY", secret_key(args.run_dir))
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{args.port}")
    # TLS ends in front of nginx in a real deployment; on this machine there is none.
    env.setdefault("SECURE_SSL_REDIRECT", "false")
    env.setdefault("SECURE_HSTS_SECONDS", "0")
    # nginx sits in front of the app servers and appends the client to X-Forwarded-For:
    # without this every reader would share the proxy's address (and one signup bucket).
    env.setdefault("TRUSTED_PROXIES", "1")
    env.update(DEBUG="false", SERVE_MEDIA="false")
    return env


def create_database(url):
    """PostgreSQL's database, created on the first run (the server itself must be running)."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def cap_redis_memory(url, maxmemory):
    """What the page cache needs of Redis: a memory cap, evicting the least recently used.

    Without one, anyone can fill Redis with pages (each URL is an entry) until it refuses
    writes. The cap is set only where none is (`maxmemory` 0 or a no-eviction policy) and
    `maxmemory` is given; otherwise a line says what to set. Returns that line.
    """
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        config = client.config_get("maxmemory*")
        if int(config.get("maxmemory", 0)) and config.get("maxmemory-policy") != "noeviction":
            return None
        if not maxmemory:
            return (
                "Redis has no memory cap with eviction: set maxmemory (e.g. 256mb) and "
                "maxmemory-policy allkeys-lru (see README, Caching)."
            )
        client.config_set("maxmemory", maxmemory)
        client.config_set("maxmemory-policy", "allkeys-lru")
        return f"Redis: maxmemory {maxmemory}, maxmemory-policy allkeys-lru."
    except redis.RedisError as error:  # CONFIG refused (a managed Redis) or Redis away
        return f"Redis's memory cap could not be checked ({error}); see README, Caching."
    finally:
        client.close()


def prepare(env, demo, redis_maxmemory=""):
    create_database(env["DATABASE_URL"])
    if env["REDIS_URL"].startswith(("redis://", "rediss://")):
        said = cap_redis_memory(env["REDIS_URL"], redis_maxmemory)
        if said:
            print(said, flush=True)
    for command in (
        ["collectstatic", "--noinput", "-v0"],
        ["migrate", "--noinput", "-v0"],
        # Stored pages made by an older renderer are made again; a no-op when none are.
        ["rerender", "--if-outdated"],
    ):
        subprocess.run([*MANAGE, *command], env=env, check=True, cwd=ROOT)
    if not demo:
        return
    subprocess.run([*MANAGE, "load_demo_site", "-v0"], env=env, check=True, cwd=ROOT)


def nginx_config(args, env):
    """deploy/nginx.conf (a template) with this run's ports, in a run directory linked to the
    site's files."""
    for name in ("cache", "tmp"):
        (args.run_dir / name).mkdir(parents=True, exist_ok=True)
    media = Path(env.get("MEDIA_ROOT", ROOT / "media"))
    media.mkdir(parents=True, exist_ok=True)
    static = Path(env.get("STATIC_ROOT", ROOT / "staticfiles"))
    for link, target in (("staticfiles", static), ("media", media)):
        path = args.run_dir / link
        if path.is_symlink():
            path.unlink()
        path.symlink_to(target)
    context = {
        "listen": args.listen,
        "port": str(args.port),
        "app_ports": args.app_ports.split(","),
        "purge_module": str(PURGE_MODULE) if PURGE_MODULE.exists() else "",
        "purge_port": str(purge_port(args)),
        "cache_size": args.cache_size,
    }
    # nginx's own braces never pair up as {{ }} or {% %}, so Django's template engine fills it.
    text = (
        Engine()
        .from_string(CONF.read_text())
        .render(Context(context, autoescape=False, use_l10n=False))
    )
    if os.geteuid() == 0:
        text = "user root;\n" + text  # the run directory belongs to whoever started us
    conf = args.run_dir / "nginx.conf"
    conf.write_text(text)
    # What the readers' location and the refresh location share (included by nginx.conf).
    shutil.copyfile(PROXY_PAGES, args.run_dir / "proxy_pages.conf")
    return conf


def app_server(args, port):
    command = [
        str(BIN / "gunicorn"),
        "blogsite.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        # A worker is replaced now and then, so a slow leak can never grow without bound; not
        # often: a new worker takes a second to start, and requests that reach it wait. A
        # worker answers ~3,000 cached pages a second from memory, so 50,000 meant a restart
        # every 20 s under load and a p99 of 520 ms (4 ms at 2,000,000, same wrk run).
        "--max-requests",
        "2000000",
        "--max-requests-jitter",
        "200000",
    ]
    if gunicorn.version_info >= (27,):  # each server its own control socket, not a shared one
        command += ["--control-socket", str(args.run_dir / f"gunicorn-{port}.ctl")]
    return command


# A process that exits is started again at once, up to this many times in a minute; past
# that, something is wrong that an immediate restart will not fix: it waits until its last
# start is a minute old, with a line saying so, while the other processes go on serving
# (nginx serves cached pages without the app servers; the site never stops for its worker).
RESTART_BUDGET = 5
RESTART_WINDOW = 60.0


def spawn(command, env):
    # Their own process group: Ctrl-C reaches only us, and we stop them in order.
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


def start(args, env):
    """App servers and the worker first; nginx once every app server answers."""

    app_ports = args.app_ports.split(",")
    processes = [spawn(app_server(args, port), env) for port in app_ports]
    # Page invalidation runs on the worker (sitewide/changes.py): look for it five times a second.
    worker = [*MANAGE, "run_worker", "--no-reload"]
    processes.append(spawn([*worker, "--interval", "0.2", "--queue-name", "*"], env))
    # A second worker only for the page invalidation and purge: a withdrawal is never queued
    # behind cards being drawn or a federation being sent (the first takes it too if need be).
    processes.append(spawn([*worker, "--interval", "0.1", "--queue-name", "pages"], env))
    for port in app_ports:
        if not wait_until_up(f"http://127.0.0.1:{port}"):
            return processes
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    conf = nginx_config(args, env)
    processes.append(
        spawn(
            [
                nginx,
                "-p",
                f"{args.run_dir}/",
                "-c",
                str(conf),
                "-e",
                "error.log",
                "-g",
                "daemon off;",
            ],
            env,
        )
    )
    return processes


def stop(processes):
    for process in processes:
        if process.poll() is None:
            # nginx stops gracefully on SIGQUIT; gunicorn and the worker on SIGTERM.
            is_nginx = "nginx" in Path(process.args[0]).name
            process.send_signal(signal.SIGQUIT if is_nginx else signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(url, seconds=60):
    """True once the server answers at all (a 503 from /healthz is an answer: it is up)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.3)
    return False


def keep_running(processes, restarts, env, now=None, start=spawn):
    """Start again what exited (a crash, kill -9); `restarts` keeps each one's start times.

    Within the budget at once; past it, when its last start is a minute old, with one line
    saying so: the other processes never stop for it.
    """
    now = time.monotonic() if now is None else now
    for index, process in enumerate(processes):
        code = process.poll()
        if code is None:
            continue
        recent = [at for at in restarts.get(index, []) if now - at < RESTART_WINDOW]
        name = Path(process.args[0]).name + " " + " ".join(process.args[1:3])
        if len(recent) >= RESTART_BUDGET:
            if not getattr(process, "held", False):
                process.held = True
                wait = recent[-1] + RESTART_WINDOW - now
                print(
                    f"{name} exited {len(recent) + 1} times within a minute (last with "
                    f"{code}): next start in {wait:.0f} s; the other processes go on serving.",
                    flush=True,
                )
            continue
        print(f"Restarting {name}: it exited with {code}.", flush=True)
        processes[index] = start(process.args, env)
        restarts[index] = [*recent, now]


def main(argv=None):
    args = arguments(argv)
    args.run_dir = args.run_dir.resolve()
    args.run_dir.mkdir(parents=True, exist_ok=True)
    env = production_env(args)
    prepare(env, args.demo, args.redis_maxmemory)
    stopping = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.append(True))
    processes = start(args, env)
    url = f"http://{args.listen}:{args.port}"
    try:
        if not wait_until_up(url.replace("0.0.0.0", "127.0.0.1")):  # noqa: S104
            print(f"Stopped: nothing answered on {url}; the output above says why.", flush=True)
            return 1
        print(
            f"Serving on {url} (nginx → app servers on {args.app_ports}); Ctrl-C stops.",
            flush=True,
        )
        restarts = {}
        while not stopping:
            keep_running(processes, restarts, env)
            time.sleep(0.2)
    finally:
        stop(processes)
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C while migrating: nothing was started yet
        sys.exit(130)
