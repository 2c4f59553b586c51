"""Where an uncached page spends its time: `python bench/profile_page.py /en/posts/SLUG/ [N]`.

Renders the page N times (default 200) in this process with the page cache off, against the
database DATABASE_URL names (the bench data set, say), and prints the costliest calls.
"""

import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
os.environ["PAGE_CACHE_SECONDS"] = "0"
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECRET_KEY", "profile-only-" + "x" * 50)


def main():
    import django

    django.setup()
    from django.test import Client

    path = sys.argv[1]
    times = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    client = Client(HTTP_HOST="127.0.0.1")
    assert client.get(path).status_code in (200, 404)
    started = time.perf_counter()
    for _ in range(times):
        client.get(path)
    each = (time.perf_counter() - started) / times * 1000
    print(f"{path}: {each:.2f} ms a request without the profiler")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(times):
        client.get(path)
    profiler.disable()
    pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(30)


if __name__ == "__main__":
    main()
