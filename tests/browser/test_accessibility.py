"""axe-core finds no serious or critical problem on any public page type, in both languages
and both themes."""

from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

PAGES = [
    "/{lang}/",
    "/{lang}/?page=2",
    "/{lang}/posts/postgres-connection-pool-sizing/",
    "/{lang}/posts/asyncio-backpressure/",
    "/{lang}/posts/postgres-production-backups-restored/",
    "/{lang}/series/",
    "/{lang}/series/postgres-in-production/",
    "/{lang}/tags/databases/",
    "/{lang}/authors/maya-okafor/",
    "/{lang}/search/?q=postgres",
    "/{lang}/newsletter/",
    "/{lang}/archive/",
    "/{lang}/archive/2026/",
    "/{lang}/no-such-page/",
]


def serious_violations(page):
    # Every rule runs; only the violations are detailed and sent back (axe's full result,
    # every node that passed included, took longer to carry over than the checks to run).
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in violations
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.fixture
def demo_site(site, demo_content):
    return site


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_public_pages_pass_axe(page, demo_site, lang):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does this).")
    # axe comes with every document the page loads, through the devtools protocol (an injected
    # <script> would be refused by the CSP): handed to the browser once, not its 650 kB sent
    # again after each of some thirty loads (a second of the test's time).
    page.add_init_script(path=AXE)
    problems = {}
    for template in PAGES:
        url = template.format(lang=lang)
        page.emulate_media(color_scheme="light")
        page.goto(demo_site + url)
        # Both themes on one load: the stylesheet follows prefers-color-scheme on the page
        # shown. A diagram is drawn in the theme of its load (static/js/diagrams.js), so a page
        # with one is loaded again in the dark.
        for theme in ["light", "dark"]:
            page.emulate_media(color_scheme=theme)
            if theme == "dark" and page.locator("pre.mermaid, figure.diagram").count():
                page.reload()
            if found := serious_violations(page):
                problems[f"{url} ({theme})"] = found
    assert not problems, problems
