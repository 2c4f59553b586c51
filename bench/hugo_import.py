"""Time `import_hugo` on a generated Hugo site: a first import, a second (no-op) run, and a
run after editing a tenth of the posts. Results go to bench/HUGO_IMPORT.md.

    .venv/bin/python bench/hugo_import.py [POSTS]

Runs on its own SQLite database and media folder in a temporary directory.
"""

import io
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(tempfile.mkdtemp(prefix="hugo-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ["MEDIA_ROOT"] = str(WORK / "media")
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from hugo_import.importer import import_site  # noqa: E402
from hugo_import.site import HugoSite  # noqa: E402

POST = """---
title: "Post {n}: notes on system number {n}"
date: 2024-{month:02d}-{day:02d}T09:00:00Z
tags: ["Topic {tag}", "Operations"]
{series}aliases: ["/old/{n}/"]
---

First paragraph of post {n}, which explains what the post is about in one sentence.

## Details

{{{{< figure src="/images/shared-{image}.png" alt="Diagram {image}" >}}}}

See [the previous post]({{{{< relref "post-{previous}" >}}}}) and {{{{< youtube id{n} >}}}}.

```python
print({n})
```
"""


def make_site(folder, count):
    (folder / "static/images").mkdir(parents=True)
    (folder / "content/posts").mkdir(parents=True)
    (folder / "hugo.toml").write_text(
        'title = "Bench"\n[params]\nauthor = "Bench Writer"\n'
        "[languages.en]\nweight = 1\n[languages.ru]\nweight = 2\n"
    )
    for image in range(10):
        buffer = io.BytesIO()
        Image.new("RGB", (800, 450), (image * 20, 90, 160)).save(buffer, format="PNG")
        (folder / f"static/images/shared-{image}.png").write_bytes(buffer.getvalue())
    for n in range(count):
        series = f'series: ["Series {n // 5}"]\nweight: {n % 5 + 1}\n' if n % 2 else ""
        text = POST.format(
            n=n,
            month=n % 12 + 1,
            day=n % 28 + 1,
            tag=n % 20,
            series=series,
            image=n % 10,
            previous=max(n - 1, 0),
        )
        (folder / f"content/posts/post-{n}.md").write_text(text)
        if n % 2 == 0:
            (folder / f"content/posts/post-{n}.ru.md").write_text(
                text.replace("First paragraph", "Первый абзац")
            )


def timed(site_folder):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report = import_site(HugoSite.load(site_folder))
        seconds = time.perf_counter() - started
    return report, seconds, len(queries)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    call_command("migrate", verbosity=0)
    site_folder = WORK / "site"
    make_site(site_folder, count)
    rows = []
    report, seconds, queries = timed(site_folder)
    rows.append(("first import", report, seconds, queries))
    report, seconds, queries = timed(site_folder)
    rows.append(("second run, nothing changed", report, seconds, queries))
    for n in range(0, count, 10):
        path = site_folder / f"content/posts/post-{n}.md"
        path.write_text(path.read_text() + "\nAn added line.\n")
    report, seconds, queries = timed(site_folder)
    rows.append(("after editing every tenth post", report, seconds, queries))

    lines = [
        "# Hugo import timings",
        "",
        f"`python bench/hugo_import.py {count}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
        f"a generated site of {count} posts (half with a Russian translation, half in series "
        "of five, each with a figure from static/, a relref, a youtube embed, an alias and a "
        "code block), SQLite, on this shared machine.",
        "",
        "| run | created | updated | unchanged | seconds | ms per post | queries |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, report, seconds, queries in rows:
        counts = report.counts
        lines.append(
            f"| {label} | {counts['created']} | {counts['updated']} | {counts['unchanged']} "
            f"| {seconds:.1f} | {seconds * 1000 / count:.0f} | {queries} |"
        )
    text = "\n".join(lines) + "\n"
    (ROOT / "bench/HUGO_IMPORT.md").write_text(text)
    print(text)
    shutil.rmtree(WORK)


if __name__ == "__main__":
    main()
