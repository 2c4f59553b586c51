"""`make audit`: Lighthouse (mobile) on the hub, an article and a series hub of a
production-like local build; scores go to audit/RESULTS.md. The bar is 95 in each category."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from serve import production_like_site

HERE = Path(__file__).resolve().parent
PAGES = {
    "Hub": "/en/",
    "Article": "/en/posts/postgres-connection-pool-sizing/",
    "Series hub": "/en/series/postgres-in-production/",
    "Hub (ru)": "/ru/",
}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
BAR = 95
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync --disable-quic"
)


def audit(url, report_dir):
    report = report_dir / "report.json"
    report.unlink(missing_ok=True)
    run = subprocess.run(
        [
            str(HERE / "node_modules" / ".bin" / "lighthouse"),
            url,
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
            "--quiet",
        ],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH") or CHROMIUM},
    )
    # Lighthouse can exit non-zero while closing Chrome after writing a full report.
    if not report.exists():
        raise RuntimeError(f"Lighthouse failed on {url}:\n{run.stderr[-3000:]}")
    result = json.loads(report.read_text())
    scores = {name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES}
    failing = [
        f"{audit['title']} ({audit['score']})"
        for audit in result["audits"].values()
        if audit.get("score") is not None
        and audit["score"] < 0.9
        and audit.get("scoreDisplayMode") in {"binary", "numeric"}
    ]
    return scores, failing


def main():
    rows, notes = [], []
    with production_like_site() as site, tempfile.TemporaryDirectory() as tmp:
        for name, path in PAGES.items():
            scores, failing = audit(site + path, Path(tmp))
            rows.append((name, path, scores))
            if failing:
                notes.append(f"- {name}: " + "; ".join(failing))
            print(name, scores, flush=True)
    below = [(name, category) for name, _path, scores in rows for category in CATEGORIES
             if scores[category] < BAR]  # fmt: skip
    lines = [
        "# Lighthouse audit",
        "",
        f"Run by `make audit` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: Lighthouse 12 with its",
        "mobile settings (simulated slow 4G, moto g power) against a production-like build on",
        "localhost (DEBUG off, gunicorn, WhiteNoise compressed static files, demo content).",
        f"The bar is {BAR} in every category.",
        "",
        "| page | path | " + " | ".join(CATEGORIES) + " |",
        "| --- | --- | " + " | ".join("---:" for _ in CATEGORIES) + " |",
        *(
            f"| {name} | `{path}` | " + " | ".join(str(scores[c]) for c in CATEGORIES) + " |"
            for name, path, scores in rows
        ),
        "",
        "Below the bar: " + (", ".join(f"{n} {c}" for n, c in below) if below else "nothing."),
        "",
        "Audits scoring under 0.9:" if notes else "Every scored audit is at 0.9 or above.",
        *notes,
        "",
    ]
    (HERE / "RESULTS.md").write_text("\n".join(lines))
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
