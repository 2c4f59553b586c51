"""The Markdown authors write (GitHub, Hugo, their editors), each case in English and Russian."""

import pytest

from articles.rendering import render


def html(text):
    return render(text).html


@pytest.mark.parametrize(
    ("fruit", "apple", "orange"), [("Fruit", "Apple", "Orange"), ("Фрукты", "Яблоко", "Апельсин")]
)
def test_a_list_nested_by_two_spaces_stays_nested(fruit, apple, orange):
    out = html(f"- {fruit}\n  - {apple}\n  - {orange}\n")
    assert f"<li>{fruit}\n<ul>\n<li>{apple}</li>\n<li>{orange}</li>\n</ul>\n</li>" in out


@pytest.mark.parametrize(("two", "sub"), [("two", "sub"), ("два", "пункт")])
def test_a_list_inside_a_numbered_item_is_a_list(two, sub):
    out = html(f"1. {two}\n   - {sub}\n")
    assert f"<ol>\n<li>{two}\n<ul>\n<li>{sub}</li>" in out
    assert "- " not in out


@pytest.mark.parametrize(("title", "anchor"), [("Intro", "intro"), ("Введение", "vvedenie")])
def test_a_heading_id_is_the_anchor_of_the_page_and_the_contents(title, anchor):
    rendered = render(f"## {title} {{#{anchor} .lead}}\n\ntext\n\n## Next\n")
    assert f'<h2 class="lead" id="{anchor}">{title}</h2>' in rendered.html
    assert f'href="#{anchor}" rel="noopener noreferrer">{title}</a>' in rendered.toc_html
    assert "{#" not in rendered.html + rendered.toc_html


def test_headings_without_an_id_get_one_from_their_words_in_any_script():
    rendered = render("## Why pools\n\n## Пулы соединений\n\n## Why pools\n")
    assert '<h2 id="why-pools">' in rendered.html
    assert '<h2 id="пулы-соединений">' in rendered.html
    assert '<h2 id="why-pools-1">' in rendered.html  # as Hugo numbers a repeated heading


@pytest.mark.parametrize("words", ["See", "Смотрите"])
def test_bare_addresses_are_links(words):
    out = html(f"{words} https://example.org, www.example.com or me@example.org.")
    assert '<a href="https://example.org" rel="noopener noreferrer">https://example.org</a>,' in out
    assert '<a href="http://www.example.com" rel="noopener noreferrer">www.example.com</a>' in out
    assert '<a href="mailto:me@example.org" rel="noopener noreferrer">me@example.org</a>.' in out


@pytest.mark.parametrize("word", ["gone", "ушло"])
def test_one_or_two_tildes_strike_through(word):
    out = html(f"~{word}~ and ~~{word}~~ but not ~~~{word}~~~")
    assert out.count(f"<del>{word}</del>") == 2
    assert f"~~~{word}~~~" in out


@pytest.mark.parametrize(("a", "b"), [("code", "meaning"), ("код", "смысл")])
def test_tables_with_escaped_pipes_alignment_and_an_end(a, b):
    out = html(f"| {a} | {b} |\n|:--|--:|\n| `x \\| y` | 1 |\n> quote\n")
    assert f'<th style="text-align:left">{a}</th>' in out
    assert '<td style="text-align:right">1</td>' in out
    assert "<code>x | y</code>" in out
    assert "</table>\n<blockquote>" in out


@pytest.mark.parametrize(("done", "todo"), [("done", "to do"), ("сделано", "сделать")])
def test_task_lists(done, todo):
    out = html(f"- [x] {done}\n- [ ] {todo}\n")
    assert f'<input disabled="" type="checkbox" checked=""> {done}' in out
    assert f'<input disabled="" type="checkbox"> {todo}' in out


@pytest.mark.parametrize("note", ["The source.", "Источник."])
def test_footnotes(note):
    out = html(f"Claim[^1].\n\n[^1]: {note}\n")
    assert '<a href="#fn1" id="fnref1"' in out
    assert f'<li id="fn1" class="footnote-item"><p>{note}' in out


@pytest.mark.parametrize(("term", "meaning"), [("Latency", "Time taken"), ("Задержка", "Время")])
def test_definition_lists(term, meaning):
    assert f"<dl>\n<dt>{term}</dt>\n<dd>{meaning}</dd>\n</dl>" in html(f"{term}\n: {meaning}\n")


@pytest.mark.parametrize("text", ['Run "make" -- it\'s fine...', "Запустите «make» -- и всё..."])
def test_quotes_and_dashes_stay_as_typed(text):
    assert html(text) == f"<p>{text}</p>\n"


@pytest.mark.parametrize(("lead", "rest"), [("The answer first.", "Details."),
                                            ("Сначала ответ.", "Подробности.")])  # fmt: skip
def test_the_text_above_more_is_the_summary(lead, rest):
    rendered = render(f"{lead} With $x^2$.\n\n<!--more-->\n\n{rest}")
    assert rendered.summary == f"{lead} With $x^2$."
    assert rest in rendered.html
    assert "more" not in rendered.html
    assert not rendered.warnings
    assert render(rest).summary == ""


def test_an_article_without_a_summary_takes_the_text_above_more(make_article):
    article = make_article(
        summary_en="",
        body_en="Pools in **one** line.\n\n<!--more-->\n\nThe rest.",
        body_ru="Пулы в одну строку.\n\n<!--more-->\n\nОстальное.",
    )
    assert article.summary_en == "Pools in one line."
    assert article.summary_ru == "Пулы в одну строку."
    written = make_article(summary_en="Written.", body_en="Above.\n\n<!--more-->\n\nBelow.")
    assert written.summary_en == "Written."


@pytest.mark.parametrize("words", ["Press", "Нажмите"])
def test_the_kept_html_subset(words):
    text = (
        f"<details><summary>{words}</summary>\n\n*more*\n\n</details>\n\n"
        f"{words} <kbd>Ctrl</kbd>, H<sub>2</sub>O, x<sup>2</sup>, <cite>SICP</cite>, "
        f'<abbr title="HyperText">HTML</abbr>, <mark>this</mark>,<br>next\n\n'
        '<figure><img src="https://example.org/a.png" alt="a"><figcaption>A</figcaption></figure>'
    )
    rendered = render(text)
    for kept in (f"<details><summary>{words}</summary>", "<em>more</em>", "<kbd>Ctrl</kbd>",
                 "<sub>2</sub>", "<sup>2</sup>", "<cite>SICP</cite>",
                 '<abbr title="HyperText">HTML</abbr>', "<mark>this</mark>", "<br>",
                 "<figcaption>A</figcaption></figure>"):  # fmt: skip
        assert kept in rendered.html
    assert rendered.warnings == ()


def test_code_keeps_its_highlighted_lines():
    out = html("```go {hl_lines=[2]}\na := 1\nb := 2\n```")
    assert '<span class="hll"><span class="nx">b</span>' in out
