"""Two HTML documents compared as the CommonMark test runner compares them, and up to what
this site adds to every page on purpose.

What the site adds, and so what is taken out of our output before comparing:
- an image alone in its paragraph with a title becomes a <figure> with that caption;
- headings: "#" becomes <h2> (the page title is the only <h1>) and every heading gets an id;
- code with a known language is highlighted by Pygments: only the code's text is compared;
- <pre> and <table> get tabindex="0" so keyboard readers can scroll them;
- task list items carry GitHub's classes (task-list-item, contains-task-list).
The expected HTML goes through the same sanitizer as ours, so markup the site never lets
through (e.g. <script>, javascript: links) is compared as the sanitizer leaves it.
"""

import re
from html import escape
from html.parser import HTMLParser

BLOCK = {
    "article", "header", "aside", "hgroup", "blockquote", "hr", "iframe", "body", "li", "map",
    "button", "object", "canvas", "ol", "caption", "output", "col", "p", "colgroup", "pre",
    "dd", "progress", "div", "section", "dl", "table", "td", "dt", "tbody", "embed",
    "textarea", "fieldset", "tfoot", "figcaption", "th", "figure", "thead", "footer", "tr",
    "form", "ul", "h1", "h2", "h3", "h4", "h5", "h6", "video", "script", "style", "details",
    "summary",
}  # fmt: skip
VOID = {"br", "hr", "img", "input", "col", "area", "base", "embed", "link", "meta", "source"}
SITE_CLASSES = {"task-list-item", "contains-task-list", "highlight"}


class _Canonical(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.in_pre = 0
        self.skipped = []  # tags inside <pre> left out (Pygments' spans), to skip their ends

    def handle_starttag(self, tag, attrs):
        if self.in_pre and tag != "code":
            if tag not in VOID:
                self.skipped.append(tag)
            return
        attributes = []
        for name, value in sorted(attrs):
            if name == "tabindex" or (name == "id" and re.fullmatch(r"h[1-6]", tag)):
                continue
            if name == "class":
                value = " ".join(c for c in (value or "").split() if c not in SITE_CLASSES)
                if not value or (tag == "code" and value.startswith("language-")):
                    continue
            if name == "class" and tag == "div" and value == "highlight":
                continue
            attributes.append(f' {name}="{escape(value or "", quote=True)}"')
        if tag == "div" and any(n == "class" and v == "highlight" for n, v in attrs):
            self.skipped.append("div-highlight")
            return
        if tag == "pre":
            self.in_pre += 1
        self.out.append(("start", tag, "".join(attributes)))

    def handle_endtag(self, tag):
        if tag == "div" and self.skipped and self.skipped[-1] == "div-highlight":
            self.skipped.pop()
            return
        if self.in_pre and tag not in {"pre", "code"}:
            if tag in self.skipped:
                self.skipped.remove(tag)
            return
        if tag == "pre":
            self.in_pre -= 1
        self.out.append(("end", tag, ""))

    def handle_data(self, data):
        self.out.append(("text", data, ""))


def canonical(html):
    parser = _Canonical()
    parser.feed(html)
    parser.close()
    pieces = []
    in_pre = 0
    for kind, value, attributes in parser.out:
        if kind == "text":
            text = value if in_pre else re.sub(r"\s+", " ", value)
            pieces.append(escape(text, quote=False))
        elif kind == "start":
            in_pre += value == "pre"
            if value in BLOCK and not in_pre:
                pieces.append("\n")
            pieces.append(f"<{value}{attributes}>")
        else:
            in_pre -= value == "pre"
            pieces.append(f"</{value}>")
            if value in BLOCK and not in_pre:
                pieces.append("\n")
    text = "".join(pieces)
    # Whitespace next to a block boundary does not show.
    text = re.sub(r"[ \t]*\n[ \t\n]*", "\n", text)
    text = re.sub(r"\n?(<(?:/?(?:{}))[ >])".format("|".join(BLOCK)), r"\n\1", text)
    return re.sub(r"\s*\n\s*", "\n", text).strip()


def expected_on_our_site(html, sanitize):
    """The spec's HTML with the site's own changes, then our sanitizer: "#" is an h2, a
    column's alignment is a style (the sanitizer keeps text-align, not `align`)."""
    html = re.sub(r"<(/?)h1\b", r"<\1h2", html)
    html = re.sub(r'<(t[hd]) align="(\w+)"', r'<\1 style="text-align:\2"', html)
    return sanitize(html)


# An image alone in its paragraph with a title is a captioned figure here.
FIGURE = re.compile(r"<figure>(<img [^>]*>)<figcaption>.*?</figcaption></figure>", re.S)


def ours_as_plain_markdown(html):
    return FIGURE.sub(r"<p>\1</p>", html)
