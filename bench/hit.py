"""What one answer costs inside an app server process, without wrk or gunicorn around it.

    BENCH_DATABASE_URL=postgres://…/blog_bench python bench/hit.py [N]

WSGI calls of the site's own application (blogsite/wsgi.py, as gunicorn makes them), N times
each (default 3,000), on the bench data set with Redis as the cache: WhiteNoise's static file
of the page's size, the page from the process's memory (sitewide/localpages.py), the page
from Redis through the middleware stack (the memory turned off), and a render (the page cache
off). Prints microseconds per answer; CPU time of this process, since Redis and PostgreSQL
answer from elsewhere, is printed beside wall time.
"""

import io
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.append(str(HERE))  # after the project: bench/newsletter.py is not the app
from benchkit import BENCH_DATABASE, site_env  # noqa: E402

PAGES = ["/en/posts/bench-0/", "/en/"]


def environ(path):
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "bench",
    }


def call(application, path):
    answered = {}

    def start_response(status, headers, exc_info=None):
        answered["status"], answered["headers"] = status, dict(headers)

    body = application(environ(path), start_response)
    size = sum(len(part) for part in body)
    if hasattr(body, "close"):
        body.close()
    return answered["status"], answered["headers"], size


def timed(application, path, times):
    call(application, path)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(times):
        call(application, path)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall / times * 1e6, cpu / times * 1e6


def main():
    times = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    os.environ.update(site_env("BENCH_DATABASE_URL", BENCH_DATABASE, "bench-hit"))
    os.environ.update(DJANGO_SETTINGS_MODULE="blogsite.settings", LOG_LEVEL="WARNING")
    os.environ.update(ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="false")
    import django

    django.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    from blogsite.wsgi import application

    static_dir = Path(settings.STATIC_ROOT) / "bench"
    django_only = get_wsgi_application()
    print(f"{times} answers each, microseconds per answer (wall / CPU of this process)")
    for path in PAGES:
        status, _headers, size = call(application, path)
        assert status.startswith("200"), (path, status)
        static = f"/static/bench/{size}.html"
        if not (static_dir / f"{size}.html").exists():
            static = "/static/bench/page.html"
        rows = {"static file (WhiteNoise)": (application, static)}
        call(application, path)  # now in the process's memory
        rows["page from the process's memory"] = (application, path)
        rows["page from Redis, through the stack"] = (django_only, path)
        for label, (app, address) in rows.items():
            wall, cpu = timed(app, address, times)
            print(f"{path} {label:38} {wall:8.1f} {cpu:8.1f}")
        settings.PAGE_CACHE_SECONDS = 0
        wall, cpu = timed(django_only, path, max(times // 30, 20))
        print(f"{path} {'render (page cache off)':38} {wall:8.1f} {cpu:8.1f}")
        settings.PAGE_CACHE_SECONDS = 600


if __name__ == "__main__":
    main()
