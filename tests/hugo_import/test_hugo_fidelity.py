"""What the page will not show is in the report with its file and line; links are re-pointed
where the renderer's own parser sees links, never in code."""

import pytest

from articles.models import Article

pytestmark = pytest.mark.django_db

POST = """---
title: Fidelity
date: 2024-01-01
---

Opening paragraph.

<svg width="10" height="10"><circle r="4"/></svg>

<iframe src="https://example.org/embed"></iframe>

See [the other post](../other/) and `[not a link](../other/)`.

```
[also not a link](../other/)
```

[ref]: ../other/

Read [it][ref].
"""


def test_what_the_renderer_drops_is_reported_with_file_and_line(tmp_path, run_import):
    site = tmp_path / "site"
    (site / "content/posts").mkdir(parents=True)
    (site / "hugo.toml").write_text('[params]\nauthor = "Ann"\n')
    (site / "content/posts/fidelity.md").write_text(POST)
    (site / "content/posts/other.md").write_text(
        "---\ntitle: Other\ndate: 2024-01-01\n---\n\nHi.\n"
    )
    report = run_import(site)
    lines = {str(warning).split(": not shown")[0] for warning in report.warnings_of("not shown")}
    assert {"content/posts/fidelity.md:8", "content/posts/fidelity.md:10"} <= lines
    body = Article.objects.get(slug="fidelity").body_en
    assert "[the other post](/en/posts/other/)" in body
    assert "`[not a link](../other/)`" in body
    assert "[also not a link](../other/)" in body
    assert "[ref]: /en/posts/other/" in body
