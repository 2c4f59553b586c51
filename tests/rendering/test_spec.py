"""The CommonMark specification's examples and GitHub's GFM extension examples, run through
the site's renderer and sanitizer (tests/rendering/spec/, see extract.py and normalise.py).

An example passes when our HTML equals the specification's once both are normalised as
normalise.py says and the specification's has been through our sanitizer. The examples we
knowingly render otherwise are listed with the reason; any other failure, or a listed one
that starts to pass, fails the suite, so the pass count cannot move silently.
"""

import json
from pathlib import Path

from articles.rendering import render, sanitize
from tests.rendering.spec.normalise import canonical, expected_on_our_site, ours_as_plain_markdown

SPEC = Path(__file__).parent / "spec"
COMMONMARK = json.loads((SPEC / "commonmark.json").read_text())
GFM = json.loads((SPEC / "gfm.json").read_text())

GFM_LINKS_BARE_ADDRESSES = "GFM's autolink extension links bare URLs and e-mail addresses"
KNOWN_COMMONMARK = {
    173: "GFM's tag filter: <textarea> shows as text instead of swallowing what follows",
    175: "GFM's tag filter: an unclosed <style> shows as text instead of hiding the rest",
    610: GFM_LINKS_BARE_ADDRESSES,
    613: GFM_LINKS_BARE_ADDRESSES,
    614: GFM_LINKS_BARE_ADDRESSES,
}
KNOWN_GFM = {
    628: "ftp:// is not autolinked (mdit-py-plugins links http, https, mailto and xmpp only; "
    "our sanitizer would drop an ftp: address anyway)",
}
# Raise these when an example starts to pass; they never go down without a reason above.
COMMONMARK_PASSING = 650
GFM_PASSING = 23


def passes(example):
    ours = canonical(ours_as_plain_markdown(render(example["markdown"]).html))
    expected = canonical(expected_on_our_site(example["html"], sanitize))
    return ours == expected


def failing(examples):
    return {example["example"]: example["markdown"] for example in examples if not passes(example)}


# One test per suite, not one per example: 679 tests would cost the suite seconds of set-up.
def test_commonmark_examples_pass_but_the_known_exceptions():
    failed = failing(COMMONMARK)
    assert set(failed) == set(KNOWN_COMMONMARK), {
        number: failed.get(number, "passes now: remove it from KNOWN_COMMONMARK")
        for number in set(failed) ^ set(KNOWN_COMMONMARK)
    }
    assert len(COMMONMARK) == 655
    assert len(COMMONMARK) - len(failed) == COMMONMARK_PASSING


def test_gfm_extension_examples_pass_but_the_known_exceptions():
    failed = failing(GFM)
    assert set(failed) == set(KNOWN_GFM), {
        number: failed.get(number, "passes now: remove it from KNOWN_GFM")
        for number in set(failed) ^ set(KNOWN_GFM)
    }
    assert len(GFM) == 24
    assert len(GFM) - len(failed) == GFM_PASSING
