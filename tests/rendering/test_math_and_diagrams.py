"""Math as MathML made here, Mermaid diagrams drawn by our own copy: in the page, the preview,
the feeds and the newsletter."""

from pathlib import Path

import feedparser
import pytest
from django.conf import settings
from django.core import mail

from articles.rendering import markdownify, render

STATIC = Path(settings.BASE_DIR) / "static"
DIAGRAM = "```mermaid\ngraph TD\n  A[Клиент] --> B[Pool]\n```"


@pytest.mark.parametrize("words", ["Energy is", "Энергия равна"])
def test_inline_and_display_math_become_mathml_with_their_tex(words):
    out = render(
        f"{words} $E = mc^2$.\n\n$$\n\\frac{{a}}{{b}}\n$$\n\n```math\n\\sqrt{{x}}\n```"
    ).html
    assert out.count("<math") == 3
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in out
    assert out.count('display="block"') == 2
    assert "<msup><mi>c</mi><mn>2</mn></msup>" in out
    assert "<mfrac>" in out
    assert "<msqrt>" in out
    assert '<annotation encoding="application/x-tex">E = mc^2</annotation>' in out
    assert "$" not in out


@pytest.mark.parametrize("text", ["It costs $5 and $10.", "Стоит $5, а не $10."])
def test_prices_are_not_math(text):
    assert render(text).html == f"<p>{text}</p>\n"


@pytest.mark.parametrize("formula", ["\\frac", "x^", "a^b^c", "\\left( x", "{", "\\begin{matrix}a"])
def test_an_invalid_formula_shows_its_source_and_an_error_in_the_preview(formula, client):
    text = f"Формула ${formula}$ here"
    rendered = render(text)
    assert "<math" not in rendered.html
    assert '<span class="math-error"' in rendered.html
    assert f"<code>${formula.replace('<', '&lt;')}$</code>" in rendered.html.replace("&#x27;", "'")
    [warning] = rendered.warnings
    assert warning.line == 1
    assert "could not be rendered" in str(warning)
    assert "Line 1" in markdownify(text)


def test_an_unknown_command_is_rendered_but_reported():
    rendered = render("$\\unknowncmd{x}$")
    assert "<math" in rendered.html
    assert "\\unknowncmd" in str(rendered.warnings[0])


def test_a_mermaid_fence_is_its_source_as_code_until_script_draws_it():
    out = render(DIAGRAM).html
    assert '<pre class="mermaid" tabindex="0"><code class="language-mermaid">graph TD' in out
    assert "A[Клиент] --&gt; B[Pool]" in out
    assert render(DIAGRAM).has_diagrams
    assert not render("```python\nx = 1\n```").has_diagrams


def test_only_a_page_with_a_diagram_loads_our_copy_of_mermaid(client, make_article):
    with_diagram = make_article(body_en=f"## One\n\n{DIAGRAM}\n\n## Two\n")
    without = make_article()
    page = client.get(with_diagram.get_absolute_url()).content.decode()
    assert '<script src="/static/vendor/mermaid/mermaid.min.js" defer></script>' in page
    assert '<script src="/static/js/diagrams.js" defer></script>' in page
    assert "mermaid" not in client.get(without.get_absolute_url()).content.decode()
    # Served from our own files, under its licence; the initialising script is a file too.
    assert (STATIC / "vendor/mermaid/mermaid.min.js").stat().st_size > 1_000_000
    assert "MIT" in (STATIC / "vendor/mermaid/LICENSE.txt").read_text()
    assert 'securityLevel: "strict"' in (STATIC / "js/diagrams.js").read_text()


def test_the_feed_carries_math_as_mathml_and_a_diagram_as_its_source(client, make_article):
    make_article(body_en=f"Energy $E = mc^2$.\n\n{DIAGRAM}", body_ru="Энергия $E = mc^2$.")
    for path in ("/en/feed/", "/ru/feed/atom/"):
        [entry] = feedparser.parse(client.get(path).content).entries
        content = entry.content[0].value
        assert "<math" in content
        assert '<annotation encoding="application/x-tex">E = mc^2</annotation>' in content
    [entry] = feedparser.parse(client.get("/en/feed/").content).entries
    assert "A[Клиент] --&gt; B[Pool]" in entry.content[0].value


def test_the_newsletter_shows_a_formula_as_its_tex(make_article):
    from newsletter.emails import issue_message
    from newsletter.models import Issue, Subscriber

    article = make_article(
        summary_en="",
        body_en=f"Energy is $E = mc^2$.\n\n{DIAGRAM}\n\n<!--more-->\n\nThe rest.",
    )
    reader = Subscriber.objects.create(email="ann@example.org", status="confirmed")
    issue = Issue.objects.create(subject_en="Weekly")
    issue.articles.set([article])
    message = issue_message(issue, reader)
    [(html, _mimetype)] = message.alternatives
    assert "Energy is $E = mc^2$." in message.body
    assert "Energy is $E = mc^2$." in html
    assert "<math" not in html
    assert "mermaid" not in html + message.body
    assert f"{settings.SITE_URL}{article.get_absolute_url()}" in html
    assert not mail.outbox  # built, not sent


def test_a_search_snippet_shows_a_formula_as_its_tex(client, make_article):
    make_article(summary_en="", body_en="Mass–energy equivalence: $E = mc^2$ says it all.")
    page = client.get("/en/search/", {"q": "equivalence"}).content.decode()
    assert "$E = mc^2$" in page
    assert "<math" not in page
