"""How long the Markdown renderer takes: one long article, and 10,000 articles re-rendered.

    python bench/rendering.py --label "after (markdown-it-py)"

The long article has 5,000 words of prose in sections with code, tables, lists, math and a
Mermaid diagram; it is rendered 20 times and the median is kept.
Times are CPU seconds of this process (time.process_time): the machine is shared, and wall
time there measures the neighbours as much as the renderer. The 10,000 articles are the
bench data set's bodies (bench/dataset.py, 5 sections of prose, a list and code each, half
of them in Russian), each rendered once, as `manage.py rerender` does. The figures replace
the row with the same label in the "Rendering" section of bench/RESULTS.md.
"""

import argparse
import os
import random
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dataset import EN_WORDS, RU_WORDS, body, sentence  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
HEADING = "## Rendering"


def long_article(rng, words=5000):
    parts, count, number = [], 0, 0
    while count < words:
        number += 1
        parts.append(f"## {sentence(rng, EN_WORDS, 4)[:-1]} {number} {{#section-{number}}}")
        for _ in range(3):
            paragraph = " ".join(sentence(rng, EN_WORDS, rng.randint(12, 24)) for _ in range(4))
            count += len(paragraph.split())
            parts.append(paragraph + f" The bound is $O(n \\log n)$ for step {number}.")
        parts.append("- outer item\n  - nested item\n  - another\n- last item")
        parts.append(
            "```python\n"
            + "\n".join(
                f"def step_{number}_{line}(items):\n    return sorted(items)" for line in range(6)
            )
            + "\n```"
        )
        parts.append(
            "| metric | before | after |\n|:--|--:|--:|\n"
            + "\n".join(f"| p{pct} | {pct * 3} ms | {pct * 2} ms |" for pct in (50, 90, 99))
        )
        if number % 4 == 0:
            parts.append("$$\n\\sum_{i=1}^{n} x_i^2 = \\frac{a+b}{c}\n$$")
        if number % 8 == 0:
            parts.append(
                "```mermaid\ngraph TD\n  A[Client] --> B[Pool]\n  B --> C[(Database)]\n```"
            )
    return "\n\n".join(parts)


def record(label, long_ms, words, total_s, per_article_ms):
    row = (
        f"| {label} | {datetime.now(UTC):%Y-%m-%d %H:%M} | {words} | {long_ms:.1f} "
        f"| {total_s:.1f} | {per_article_ms:.2f} |"
    )
    header = (
        f"{HEADING}\n\n`python bench/rendering.py` (see its docstring): the median render of one "
        "long article (code, tables, math, a diagram) and 10,000 articles rendered again, in CPU "
        "time of the process, on a shared 2-core machine.\n\n"
        "| renderer | run (UTC) | words | long article ms | 10,000 articles s | ms per article |\n"
        "| --- | --- | ---: | ---: | ---: | ---: |\n"
    )
    text = RESULTS.read_text()
    if HEADING not in text:
        text = text.rstrip("\n") + "\n\n" + header
    start = text.index(HEADING)
    end = text.find("\n## ", start + 1)
    section = text[start:] if end == -1 else text[start:end]
    lines = [
        line for line in section.rstrip("\n").split("\n") if not line.startswith(f"| {label} |")
    ]
    section = "\n".join(lines) + "\n" + row + "\n"
    text = text[:start] + section + ("" if end == -1 else text[end:])
    RESULTS.write_text(text)
    print(row)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
    import django

    django.setup()
    from articles.rendering import render_article_body

    rng = random.Random(7)  # noqa: S311 (repeatable text, not secrets)
    text = long_article(rng)
    words = len(re.findall(r"\w+", text))
    render_article_body(text)
    timings = []
    for _ in range(20):
        start = time.process_time()
        render_article_body(text)
        timings.append(time.process_time() - start)
    long_ms = statistics.median(timings) * 1000

    bodies = [body(rng, EN_WORDS if n % 2 else RU_WORDS) for n in range(args.articles)]
    start = time.process_time()
    for text in bodies:
        render_article_body(text)
    total = time.process_time() - start
    per_article = total / len(bodies) * 1000
    if args.no_record:
        print(f"{args.label}: {words} words {long_ms:.1f} ms; {total:.1f} s, {per_article:.2f} ms")
    else:
        record(args.label, long_ms, words, total, per_article)


if __name__ == "__main__":
    main()
