"""New constructs, old tricks: every way in through math, diagrams, attributes, autolinks."""

import pytest
from lxml import html as lxml_html

from articles.rendering import render

RUNNABLE = {"script", "iframe", "svg", "object", "embed", "form", "style", "link", "meta", "base"}
HOSTILE = [
    # autolinks
    "<javascript:alert(1)>",
    "Visit javascript:alert(1) or www.example.org/javascript:alert(1)",
    "[x](<javascript:alert(1)>)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    # formulas
    "$\\text{<script>alert(1)</script>}$",
    "$$\n\\text{<img src=x onerror=alert(1)>}\n$$",
    "$\\href{javascript:alert(1)}{x}$",
    '$\\color{red" onload="alert(1)}{x}$',
    "```math\n\\text{</math><script>alert(1)</script>}\n```",
    "\\begin{align}\n\\text{<svg onload=alert(1)>} &= 1\n\\end{align}",
    # diagrams
    (
        '```mermaid\ngraph TD\n  A["<img src=x onerror=alert(1)>"]'
        " --> B[</code></pre><script>alert(1)</script>]\n```"
    ),
    '```mermaid\ngraph TD\n  click A "javascript:alert(1)"\n```',
    # attributes through {…}
    "## Title {onclick=alert(1)}",
    '## Title {#x" onmouseover="alert(1)}',
    '## Title {#"><script>alert(1)</script>}',
    '## Title {.x onload=alert(1) style="background:url(javascript:alert(1))"}',
    # author's own MathML and SVG are not ours to keep
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<svg><script>alert(1)</script></svg>",
]


def runnable_parts(html):
    """What a browser would run or fetch: elements, handlers, script and data addresses.
    (The same words as text, say a refused link shown as typed, run nothing.)"""
    found = []
    for element in lxml_html.fragments_fromstring(html, no_leading_text=False):
        if isinstance(element, str):
            continue
        for node in element.iter():
            if not isinstance(node.tag, str):
                continue
            if node.tag.split("}")[-1] in RUNNABLE:
                found.append(node.tag)
            for name, value in node.attrib.items():
                if name.startswith("on") or "xlink" in name or name == "style":
                    found.append(name)
                if name in {"href", "src", "action"} and not value.startswith(
                    ("https://", "http://", "mailto:", "#", "/")
                ):
                    found.append(f"{name}={value}")
    return found


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("around", [("Before", "After"), ("До", "После")])
def test_hostile_input_leaves_nothing_that_runs(text, around):
    before, after = around
    html = render(f"{before}\n\n{text}\n\n{after}").html
    assert runnable_parts(html) == [], html
    assert html.startswith(f"<p>{before}</p>")
    assert after in html


def test_a_diagram_label_is_escaped_text_inside_its_code():
    html = render("```mermaid\ngraph TD\n  A[</code></pre><script>x</script>]\n```").html
    assert "A[&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;]" in html


def test_only_an_id_and_classes_come_through_heading_attributes():
    rendered = render('## Title {#good .c data-x=1 onclick="alert(1)"}')
    assert rendered.html == '<h2 class="c" id="good">Title</h2>\n'
    assert {w.message for w in rendered.warnings} == {
        "the heading attribute “data-x” is not kept",
        "the heading attribute “onclick” is not kept",
    }


def test_the_checker_sees_what_would_run():
    assert runnable_parts('<p><a href="javascript:x">a</a><img src=x onerror=y><svg></svg></p>')
