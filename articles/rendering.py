"""Markdown to safe HTML: one renderer for the page, the preview, feeds, emails and the import.

The dialect is the one authors already write: CommonMark (markdown-it-py passes its
specification), GitHub's extensions (tables, strikethrough, task lists, autolinks, footnotes,
alerts) and Hugo's Goldmark extras (`{#id .class}` after a heading, definition lists), math
as MathML made here (latex2mathml) and Mermaid diagrams drawn by our own copy of Mermaid.

The sanitizer (nh3) is the last step. Whatever it is going to remove from what the author
wrote is reported in `Rendered.warnings` (line, what), so nothing disappears without a word.
"""

import functools
import html as html_lib
import math
import re
import secrets
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

import latex2mathml.converter
import nh3
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attributes
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.gfm import gfm_plugin
from PIL import Image
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from sitewide.images import RENDITIONS_PATH
from sitewide.renditions import responsive_attributes

# Raise it whenever the same Markdown renders differently: `manage.py rerender --if-outdated`
# (run by `make run` and the deploy) then renders every stored article again.
RENDERER_VERSION = 3

WORDS_PER_MINUTE = 220
# Hugo's summary divider: the text above it is the summary when none is written.
MORE = re.compile(r"<!--\s*more\s*-->")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "input", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "section",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "var",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "id"},
    "abbr": {"title"},
    "code": {"class"},
    "details": {"open"},
    "div": {"class"},
    "hr": {"class"},
    "img": {"src", "alt", "title", "width", "height"},
    "input": {"type", "checked", "disabled"},
    "li": {"id", "class"},
    "ol": {"start", "class"},
    "p": {"class"},
    "pre": {"class"},
    "q": {"cite"},
    "section": {"class"},
    "span": {"class"},
    "sup": {"id", "class"},
    "td": {"style"},
    "th": {"style"},
    "time": {"datetime"},
    "ul": {"class"},
    **{f"h{level}": {"id", "class"} for level in range(2, 7)},
}
URL_SCHEMES = {"http", "https", "mailto"}

# Only the MathML we make ourselves is kept: an author's own <math> goes like any unknown tag.
MATHML_TAGS = {
    "math", "semantics", "annotation", "menclose", "merror", "mfrac", "mi", "mn", "mo",
    "mover", "mpadded", "mphantom", "mroot", "mrow", "ms", "mspace", "msqrt", "mstyle", "msub",
    "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder", "munderover",
}  # fmt: skip
MATHML_ATTRIBUTES = {
    "math": {"display", "xmlns"},
    "annotation": {"encoding"},
    "mo": {"accent", "fence", "form", "lspace", "rspace", "maxsize", "minsize", "stretchy",
           "separator", "largeop", "movablelimits"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "mfrac": {"linethickness"},
    "menclose": {"notation"},
    "mpadded": {"depth", "height", "lspace", "voffset", "width"},
    "mspace": {"depth", "height", "linebreak", "width"},
    "mstyle": {"displaystyle", "mathcolor", "scriptlevel"},
    "mtable": {"columnalign", "columnspacing", "rowspacing"},
    "mtd": {"columnalign"},
    "mi": {"mathvariant"},
}  # fmt: skip

# An image alone in its paragraph with a title ![alt](src "caption") becomes a captioned figure.
FIGURE = re.compile(r'<p>(<img [^>]*\btitle="([^"]+)"[^>]*>)</p>')
# ![](src): an image with nothing for screen readers to say.
IMAGE_WITHOUT_ALT = re.compile(r"!\[\s*\]\(")
# Hugo's heading attributes: "## Title {#id .class}" at the very end of the heading.
HEADING_ATTRIBUTES = re.compile(r"[ \t]*(\{[^{}\n]*\})[ \t]*$")
TOC_LEVELS = (1, 2, 3)


@dataclass(frozen=True)
class RenderWarning:
    line: int  # 1-based line of the Markdown source; 0 when unknown
    message: str

    def __str__(self):
        if self.line:
            return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}
        return self.message


@dataclass(frozen=True)
class Rendered:
    html: str
    toc_html: str
    minutes: int
    warnings: tuple = ()
    # The text above <!--more-->, plain; "" when the body has no divider.
    summary: str = ""

    @property
    def has_diagrams(self):
        return 'class="mermaid"' in self.html


# An image the sanitizer took the address from (not our media, not https): an <img> without a
# source shows as a broken image, so the reader gets its description instead.
# Read attribute by attribute: the sanitizer writes every value in double quotes (a quote
# inside is &quot;) but leaves ">" as it is, and an alt text may itself say "src=".
IMAGE_TAG = re.compile(r'<img((?:\s+[^\s="/>]+(?:="[^"]*")?)*)\s*/?>')
ATTRIBUTE = re.compile(r'\s+([^\s="/>]+)(?:="([^"]*)")?')


def without_broken_images(html):
    """Each image the sanitizer left without an address becomes its alt text, as text."""

    def shown(tag):
        attributes = dict(ATTRIBUTE.findall(tag.group(1)))
        if "src" in attributes:
            return tag.group(0)
        # Unescaped, then escaped as text: the sanitizer leaves "<" as it is inside attributes.
        return escape(html_lib.unescape(attributes.get("alt", "")))

    return IMAGE_TAG.sub(shown, html)


def figure(match):
    image, title = match.groups()
    # The title is an attribute value: turned into text it is escaped again here, so the
    # caption is plain text whatever the sanitizer left unescaped inside attributes.
    return f"<figure>{image}<figcaption>{escape(html_lib.unescape(title))}</figcaption></figure>"


# An image from our own media, to be given its size so the page does not jump as it loads.
MEDIA_IMAGE = re.compile(r'<img ([^>]*)src="([^"]+)"([^>]*)>')


def media_image_names(html):
    """Storage names of the originals from our own media that rendered HTML shows."""
    names = {
        unquote(src.removeprefix(settings.MEDIA_URL))
        for _before, src, _after in MEDIA_IMAGE.findall(html)
        if src.startswith(settings.MEDIA_URL)
    }
    return {name for name in names if not name.startswith(RENDITIONS_PATH)}


def sized_image(match):
    """Our own images get their size (no jump as they load) and, once made, their renditions."""
    before, src, after = match.groups()
    if "width=" in match.group(0) or not src.startswith(settings.MEDIA_URL):
        return match.group(0)
    name = unquote(src.removeprefix(settings.MEDIA_URL))
    try:
        with default_storage.open(name) as file, Image.open(file) as image:
            width, height = image.size
    except (OSError, ValueError, SuspiciousFileOperation, Image.DecompressionBombError):
        return match.group(0)  # a missing or unreadable file: leave the tag as the author wrote it
    responsive = responsive_attributes(name, width)
    if responsive:
        src = responsive["src"]
        after += f' srcset="{responsive["srcset"]}" sizes="{responsive["sizes"]}"'
    return (
        f'<img {before}src="{src}"{after} width="{width}" height="{height}" '
        'loading="lazy" decoding="async">'
    )


def _keep_attribute(tag, attribute, value, media_url=None):
    # Images come only from our own media or over https: no tracking pixels over http.
    if tag == "img" and attribute == "src":
        media_url = settings.MEDIA_URL if media_url is None else media_url
        return value if value.startswith((media_url, "https://")) else None
    if tag == "input" and attribute == "type":
        return value if value == "checkbox" else None
    return value


def sanitize(html):
    kept = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_keep_attribute,
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer",
    )
    return without_broken_images(kept)


def _sanitize_mathml(html):
    return nh3.clean(
        html,
        tags=MATHML_TAGS,
        attributes=MATHML_ATTRIBUTES,
        url_schemes=set(),
        link_rel=None,
    )


def with_absolute_urls(html, page_url):
    """Sanitized `html` whose links and images work away from the page (feeds, emails).

    Math stays MathML (with its TeX as an annotation); a diagram stays its source as code.
    """
    return _with_absolute_urls(html, page_url, settings.MEDIA_URL)


# Sanitizing a body again is most of what a feed costs (0.6 ms an article: 12 of the 28 ms
# of a 20-entry feed); each process keeps the last results, so the entries the feeds and the
# API share are done once per article version. An edit is a new `html`, hence a new entry.
@functools.lru_cache(maxsize=256)
def _with_absolute_urls(html, page_url, media_url):
    def keep(tag, attribute, value):
        value = _keep_attribute(tag, attribute, value, media_url)
        if value is not None and attribute in {"href", "src"}:
            value = urljoin(page_url, value)
        return value

    formulas = {}

    def hide(match):
        key = f"math{secrets.token_hex(8)}"
        formulas[key] = match.group(0)
        return key

    text = nh3.clean(
        MATH_ELEMENT.sub(hide, html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=keep,
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer",
    )
    for key, formula in formulas.items():
        text = text.replace(key, _sanitize_mathml(formula))
    return text


MATH_ELEMENT = re.compile(r"<math\b.*?</math>", re.S)
TEX_ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)
DIAGRAM = re.compile(r'<pre class="mermaid"[^>]*>.*?</pre>', re.S)


def _formula_as_tex(match):
    tex = TEX_ANNOTATION.search(match.group(0))
    display = 'display="block"' in match.group(0)
    source = html_lib.unescape(tex.group(1)) if tex else strip_tags(match.group(0))
    return escape(f"$${source}$$" if display else f"${source}$")


def formulas_as_tex(html):
    return MATH_ELEMENT.sub(_formula_as_tex, html)


def plain_text(html):
    """Rendered HTML as one line of text: formulas as their TeX, diagrams left out."""
    html = DIAGRAM.sub(" ", MATH_ELEMENT.sub(_formula_as_tex, html))
    return " ".join(html_lib.unescape(strip_tags(html)).split())


# A page's description where no summary is written in its language: about as long as what a
# search engine shows under a result (a series' description is cut at as many words).
EXCERPT_WORDS = 30
PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S)


def excerpt(html, words=EXCERPT_WORDS):
    """The opening prose of a rendered body as plain text, cut at about `words` words: its
    first paragraph with text (not a heading, an image or code), else the body's text."""
    paragraphs = (plain_text(paragraph) for paragraph in PARAGRAPH.findall(html or ""))
    text = next((paragraph for paragraph in paragraphs if paragraph), "")
    return Truncator(text or plain_text(html or "")).words(words, truncate="…")


def reading_minutes(html):
    words = len(re.findall(r"\w+", strip_tags(html)))
    return math.ceil(words / WORDS_PER_MINUTE) if words else 0


# --- Math ----------------------------------------------------------------------------------


def _mathml(tex, display):
    """MathML for `tex`, carrying the TeX as an annotation (feeds, copy, screen readers)."""
    converted = latex2mathml.converter.convert(tex, display="block" if display else "inline")
    start = converted.index(">") + 1
    return (
        f"{converted[:start]}<semantics>{converted[start : -len('</math>')]}"
        f'<annotation encoding="application/x-tex">{escape(tex)}</annotation></semantics></math>'
    )


# latex2mathml shows a command it does not know as its name in an <mi>.
UNKNOWN_COMMAND = re.compile(r"<mi>(\\[A-Za-z]+)</mi>")


def _math(tex, display, env, line):
    tex = tex.strip()
    try:
        markup = _mathml(tex, display)
    # latex2mathml raises its own errors and, on some malformed input, plain Python ones
    # (IndexError, KeyError…): a formula must never cost the author a 500.
    except Exception as error:
        env["warnings"].append(
            RenderWarning(
                line,
                _("this formula could not be rendered (%(error)s): %(tex)s")
                % {"error": type(error).__name__, "tex": tex},
            )
        )
        source = escape(f"$${tex}$$" if display else f"${tex}$")
        title = escape(_("This formula could not be rendered"))
        wrapper = "div" if display else "span"
        return f'<{wrapper} class="math-error" title="{title}"><code>{source}</code></{wrapper}>'
    for command in dict.fromkeys(UNKNOWN_COMMAND.findall(markup)):
        env["warnings"].append(
            RenderWarning(line, _("unknown TeX command %(command)s") % {"command": command})
        )
    key = f"math{secrets.token_hex(8)}"
    env["formulas"][key] = markup
    if display:
        return f'<div class="math">{key}</div>\n'
    return key


# --- The parser ----------------------------------------------------------------------------


# Hugo's and pymdown's emphasised lines: ```go {hl_lines=[2,"4-5"]} or ```go hl_lines="2 4-5"
HIGHLIGHTED_LINES = re.compile(r"hl_lines\s*=\s*\[?((?:[\s,\"']*\d+(?:-\d+)?)+)[\s,\"']*\]?")


def _highlighted_lines(info):
    match = HIGHLIGHTED_LINES.search(info)
    lines = []
    for first, last in re.findall(r"(\d+)(?:-(\d+))?", match.group(1) if match else ""):
        # A stray "1-100000" must not cost a request its time.
        lines.extend(range(int(first), min(int(last or first), int(first) + 1000) + 1))
    return lines


def _code_block(code, language, info=""):
    try:
        lexer = get_lexer_by_name(language) if language else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        # Unhighlighted code still gets the highlighted block's frame and copy button.
        klass = f' class="language-{escape(language)}"' if language else ""
        return f'<div class="highlight"><pre><code{klass}>{escape(code)}</code></pre></div>\n'
    lines = _highlighted_lines(info)
    formatter = HtmlFormatter(**FORMATTER_OPTIONS, hl_lines=lines) if lines else FORMATTER
    return highlight(code, lexer, formatter)


FORMATTER_OPTIONS = {"cssclass": "highlight", "wrapcode": True}
FORMATTER = HtmlFormatter(**FORMATTER_OPTIONS)


def _render_fence(self, tokens, idx, options, env):
    token = tokens[idx]
    info = html_lib.unescape(token.info).strip()
    language = info.split(maxsplit=1)[0] if info else ""
    if language == "math":
        return _math(token.content, True, env, token.meta.get("line", 0))
    if language == "mermaid":
        # Without script the reader sees the diagram's source; static/js/diagrams.js draws it.
        return (
            '<pre class="mermaid"><code class="language-mermaid">'
            f"{escape(token.content)}</code></pre>\n"
        )
    return _code_block(token.content, language, info)


def _render_math(display):
    def render(self, tokens, idx, options, env):
        token = tokens[idx]
        return _math(token.content, display, env, token.meta.get("line", 0))

    return render


def _render_amsmath(self, tokens, idx, options, env):
    token = tokens[idx]
    return _math(token.content, True, env, token.meta.get("line", 0))


def _heading_attributes(state):
    """Hugo's `## Title {#id .class}`: the id is the heading's anchor; other attributes are
    reported and dropped (an `onclick` has no place in a heading)."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        last = inline.children[-1] if inline.children else None
        if last is None or last.type != "text":
            continue
        match = HEADING_ATTRIBUTES.search(last.content)
        if not match:
            continue
        try:
            _end, attributes = parse_attributes(match.group(1))
        except ParseError:
            continue
        last.content = last.content[: match.start()]
        inline.content = HEADING_ATTRIBUTES.sub("", inline.content)
        for name, value in attributes.items():
            if name == "id":
                token.meta["id"] = value
            elif name == "class":
                token.attrSet("class", value)
            else:
                state.env["warnings"].append(
                    RenderWarning(
                        token.map[0] + 1 if token.map else 0,
                        _("the heading attribute “%(name)s” is not kept") % {"name": name},
                    )
                )


EMAIL_LOCAL_TAIL = re.compile(r"[A-Za-z0-9.+\-_]+$")


def _whole_email_addresses(state):
    """ "first_last@example.org" is one address: the "_" before the "@" was taken for an
    emphasis mark and left behind the link (mdit-py-plugins' gfm_autolink)."""
    for token in state.tokens:
        children = token.children or []
        for index, child in enumerate(children):
            href = child.attrGet("href") or "" if child.type == "link_open" else ""
            if not (href.startswith("mailto:") and child.markup == "autolink" and index):
                continue
            before, text = children[index - 1], children[index + 1]
            tail = EMAIL_LOCAL_TAIL.search(before.content) if before.type == "text" else None
            if tail and "_" in tail.group(0) and text.content == href.removeprefix("mailto:"):
                before.content = before.content[: tail.start()]
                text.content = tail.group(0) + text.content
                child.attrSet("href", f"mailto:{text.content}")


def _lines_and_headings(state):
    """Give inline tokens their source line (for warnings) and headings their ids."""
    used = set()
    line = 0
    for index, token in enumerate(state.tokens):
        if token.map:
            line = token.map[0] + 1
        token.meta["line"] = line
        if token.type == "inline" and token.children:
            offset = 0
            for child in token.children:
                child.meta["line"] = line + offset
                if child.type in {"softbreak", "hardbreak"}:
                    offset += 1
        if token.type == "heading_open":
            # The page title is the only h1: a "#" heading in the body becomes an h2.
            level = int(token.tag[1])
            token.meta["level"] = level
            if level == 1:
                token.tag = "h2"
            inline = state.tokens[index + 1]
            text = " ".join(strip_tags(_inline_text(inline)).split())
            wanted = token.meta.get("id") or slugify(text, allow_unicode=True) or "section"
            anchor, number = wanted, 0
            while anchor in used:
                number += 1
                anchor = f"{wanted}-{number}"
            used.add(anchor)
            token.attrSet("id", anchor)
            token.meta["text"] = text
    state.env["headings"] = [
        (token.meta["level"], token.attrGet("id"), token.meta["text"])
        for token in state.tokens
        if token.type == "heading_open"
    ]


def _inline_text(inline):
    return "".join(
        child.content
        for child in inline.children or ()
        if child.type in {"text", "code_inline", "math_inline", "html_inline"}
    )


# GitHub's tag filter: these never act as HTML, they show as the text the author typed.
# (A browser reads everything after them as their text: unescaped, one <title> or an
# unclosed <style> would swallow the rest of the article.)
FILTERED_TAG = re.compile(
    r"<(?=/?(?:title|textarea|style|xmp|iframe|noembed|noframes|script|plaintext)[\s/>])", re.I
)
# A closed <script> or <style> goes, contents and all, as the sanitizer would take it.
CLOSED_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)


def _render_raw_html(self, tokens, idx, options, env):
    return FILTERED_TAG.sub("&lt;", CLOSED_SCRIPT.sub("", tokens[idx].content))


def _render_deleted(tag):
    # GitHub and Hugo write struck-out text as <del>.
    def render(self, tokens, idx, options, env):
        return tag

    return render


def _parser():
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.use(gfm_plugin)
    md.use(deflist_plugin)
    # Currency ("$5 and $10") is not math: a formula hugs its dollars and no digit follows.
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, allow_labels=False,
           allow_blank_lines=False, double_inline=True)  # fmt: skip
    md.use(amsmath_plugin)
    # Every link reaches the sanitizer, which drops a javascript: address and is reported for
    # it; refused here, the whole "[text](javascript:…)" would show as text.
    md.validateLink = lambda url: True
    md.core.ruler.after("inline", "heading_attributes", _heading_attributes)
    md.core.ruler.push("whole_email_addresses", _whole_email_addresses)
    md.core.ruler.push("lines_and_headings", _lines_and_headings)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("html_block", _render_raw_html)
    md.add_render_rule("html_inline", _render_raw_html)
    md.add_render_rule("s_open", _render_deleted("<del>"))
    md.add_render_rule("s_close", _render_deleted("</del>"))
    md.add_render_rule("math_inline", _render_math(False))
    md.add_render_rule("math_inline_double", _render_math(True))
    md.add_render_rule("math_block", _render_math(True))
    md.add_render_rule("amsmath", _render_amsmath)
    return md


PARSER = _parser()


# --- What the sanitizer removes, told to the author -----------------------------------------


class _RawHtml(HTMLParser):
    """Collects, from the HTML an author typed, what the sanitizer is going to drop."""

    def __init__(self, source):
        super().__init__(convert_charrefs=True)
        self.removed = []
        self.closed_scripts = {match.group(1).lower() for match in CLOSED_SCRIPT.finditer(source)}

    def closed(self, tag):
        return tag in self.closed_scripts

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS and FILTERED_TAG.match(f"<{tag} ") and not self.closed(tag):
            self.removed.append(_("<%(tag)s> is shown as text") % {"tag": tag})
            return
        if tag not in ALLOWED_TAGS:
            self.removed.append(_("the element <%(tag)s> is not kept") % {"tag": tag})
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            if name not in allowed:
                self.removed.append(
                    _("the attribute “%(name)s” of <%(tag)s> is not kept")
                    % {"name": name, "tag": tag}
                )
            elif name in {"href", "src", "cite"} and not _url_is_kept(tag, name, value or ""):
                self.removed.append(
                    _("the address “%(url)s” of <%(tag)s> is not kept") % {"url": value, "tag": tag}
                )

    handle_startendtag = handle_starttag


def media_file_exists(src):
    """False only for an address in our media whose file is not there (a typo, a deleted
    upload). The page keeps the image as written: a site restored without its media yet must
    not lose every image at the next render."""
    if not src.startswith(settings.MEDIA_URL):
        return True
    name = unquote(urlsplit(src).path.removeprefix(settings.MEDIA_URL))
    try:
        return default_storage.exists(name)
    except (OSError, ValueError, SuspiciousFileOperation):
        return True  # not ours to judge: the storage could not say


def _url_is_kept(tag, attribute, url):
    scheme = urlsplit(url.strip()).scheme.lower() if ":" in url else ""
    if scheme and scheme not in URL_SCHEMES:
        return False
    return _keep_attribute(tag, attribute, url) is not None


def _warnings_for(tokens, env):
    warnings = []

    def report(line, messages):
        warnings.extend(RenderWarning(line, message) for message in messages)

    for token in tokens:
        line = token.meta.get("line", 0)
        if token.type in {"html_block", "html_inline"}:
            parser = _RawHtml(token.content)
            parser.feed(token.content)
            parser.close()
            report(line, parser.removed)
        elif token.type == "image":
            src = token.attrGet("src") or ""
            if not _url_is_kept("img", "src", src):
                report(line, [_("the image “%(url)s” is not shown: images come from our media "
                                "or over https") % {"url": src}])  # fmt: skip
            elif not media_file_exists(src):
                report(line, [_("the image “%(url)s” is not among the uploaded files: readers "
                                "will see a broken image") % {"url": src}])  # fmt: skip
        elif token.type == "link_open":
            href = token.attrGet("href") or ""
            if not _url_is_kept("a", "href", href):
                report(line, [_("the link to “%(url)s” is not kept") % {"url": href}])
        if token.children:
            warnings.extend(_warnings_for(token.children, env))
    return warnings


# --- The whole pipeline --------------------------------------------------------------------


def _toc(headings):
    """Nested lists of links to the headings written with #, ## and ###."""
    entries = [(level, anchor, text) for level, anchor, text in headings if level in TOC_LEVELS]
    # A contents list of one heading helps nobody.
    if len(entries) < 2:
        return ""
    out, stack = ['<div class="toc">'], []
    for level, anchor, text in entries:
        if not stack or level > stack[-1]:
            out.append("<ul>")
            stack.append(level)
        else:
            out.append("</li>")
            while len(stack) > 1 and level < stack[-1]:
                stack.pop()
                out.append("</ul></li>")
        out.append(f'<li><a href="#{escape(anchor)}">{escape(text)}</a>')
    out.append("</li>" + "</ul></li>" * (len(stack) - 1) + "</ul></div>")
    return "".join(out)


def render(text):
    """Markdown → `Rendered` (safe HTML, contents, reading time, warnings, summary)."""
    text = text or ""
    env = {"warnings": [], "formulas": {}, "headings": []}
    tokens = PARSER.parse(text, env)
    raw = PARSER.renderer.render(tokens, PARSER.options, env)
    html = sanitize(raw)
    for key, markup in env["formulas"].items():
        html = html.replace(key, _sanitize_mathml(markup))
    html = FIGURE.sub(figure, html)
    html = MEDIA_IMAGE.sub(sized_image, html)
    # Code and tables scroll sideways on a phone; keyboard readers must be able to scroll them.
    html = html.replace("<pre>", '<pre tabindex="0">').replace("<table>", '<table tabindex="0">')
    html = html.replace('<pre class="mermaid">', '<pre class="mermaid" tabindex="0">')
    warnings = env["warnings"] + _warnings_for(tokens, env)
    warnings.sort(key=lambda warning: warning.line)
    divider = MORE.search(text)
    summary = plain_text(render(text[: divider.start()]).html) if divider else ""
    return Rendered(
        html=html,
        toc_html=sanitize(_toc(env["headings"])),
        minutes=reading_minutes(html),
        warnings=tuple(dict.fromkeys(warnings)),
        summary=summary,
    )


def render_article_body(text):
    return render(text)


# Inline tokens shown as the text the author typed, wrapped in their own markup.
AS_TYPED = {"html_inline", "math_inline", "math_inline_double"}


def inline_html(text):
    """One line of inline Markdown (emphasis, code, links) as HTML, for a Markdown body: a
    caption, as Hugo's markdownify renders it. Raw HTML shows as text; a formula as its TeX
    (MathML is put in only by `render`). Not sanitized here: the body it goes into is, when
    rendered, and what that drops is reported."""
    env = {"warnings": [], "formulas": {}, "headings": []}
    tokens = PARSER.parseInline(" ".join(text.split()), env)
    for token in tokens:
        for child in token.children or ():
            if child.type in AS_TYPED:
                markup = child.markup if child.type != "html_inline" else ""
                child.type, child.content = "text", f"{markup}{child.content}{markup}"
    return PARSER.renderer.render(tokens, PARSER.options, env)


def warnings_notice(warnings):
    """The notice above the writing desk's preview: what the page will not show, and where."""
    if not warnings:
        return ""
    items = "".join(f"<li>{escape(str(warning))}</li>" for warning in warnings)
    title = escape(_("Not shown on the page:"))
    return f'<div class="render-warnings" role="status"><p>{title}</p><ul>{items}</ul></div>'


def markdownify(text):
    """The markdownx preview: exactly the body the public page will show, under a notice of
    anything the page will not show."""
    rendered = render(text)
    return warnings_notice(rendered.warnings) + rendered.html
