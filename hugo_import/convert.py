"""Hugo Markdown to ours: shortcodes converted or kept visible, links and images re-pointed.

The result is plain Markdown that goes through the same renderer and sanitizer as anything
an author writes; embeds become links, never iframes.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass
from html import unescape
from urllib.parse import quote

from django.utils.html import escape, strip_tags
from django.utils.text import Truncator
from markdown_it.common.utils import unescapeAll

from articles.rendering import PARSER, inline_html, render_article_body

# {{< name args >}}, {{% name args %}}, {{< /name >}}, {{< name args />}}. Possessive
# quantifiers, atomic groups and disjoint alternatives: a match attempt backtracks at most over
# an optional "/", and it stops at the next unquoted "{{", so scanning a body costs time in
# proportion to its length.
# (A repeated group is made atomic with (?>…) rather than a possessive `*+` after it: Python
# 3.11 before 3.11.5, Debian 12's included, matches nothing with the latter.)
SHORTCODE = re.compile(
    r"\{\{(?P<delim>[<%])[ \t\r\n]*+(?P<close>/)?[ \t\r\n]*+(?P<name>[\w.-]++)"
    r"(?P<args>(?>(?:[^\"`>%/{]++|\"[^\"]*+\"|`[^`]*+`|/(?![ \t\r\n]*+[>%]\}\})"
    r"|[>%](?!\}\})|\{(?!\{))*))"
    r"(?P<self>/)?[ \t\r\n]*+[>%]\}\}"
)
MAX_SHORTCODE_LENGTH = 4096  # from {{ to }}: real ones are a line or two
MAX_SHORTCODE_DEPTH = 20  # shortcodes inside shortcodes; deeper ones stay as text
# {{</* name */>}}: Hugo's way of writing a shortcode that is shown, not run.
ESCAPED_OPEN = re.compile(r"\{\{([<%])/\*")
ESCAPED_CLOSE = re.compile(r"\*/([>%])\}\}")
ARGUMENT = re.compile(r'(?>(?:(\w++)=)?)("(?>(?:[^"\\]|\\.)*)"|`[^`]*+`|[^\s"`]++)')
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HTML_IMAGE = re.compile(r'(<img\b[^>]{0,2000}?\bsrc=")([^"\n]{1,2000})(")', re.I)
MORE = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.M | re.I)
SUMMARY_WORDS = 60
MORE_MARK = "\x00more\x00"


def links_or_images_in(body):
    """Whether the body may hold a destination that `repoint_links_and_images` rewrites: an
    inline link or image's "](", a reference definition's "]:", or an HTML <img>."""
    return "](" in body or "]:" in body or "<img" in body.lower()


@dataclass
class Shortcode:
    name: str
    positional: list
    named: dict
    line: int


def parse_arguments(text):
    positional, named = [], {}
    for key, raw in ARGUMENT.findall(text):
        value = raw
        if raw[:1] in {'"', "`"}:
            value = raw[1:-1].replace('\\"', '"')
        if key:
            named[key.lower()] = value
        else:
            positional.append(value)
    return positional, named


def fenced_lines(text):
    """Indexes of the lines inside fenced code blocks (fence lines included)."""
    inside, opener, lines = False, "", set()
    for number, line in enumerate(text.split("\n")):
        match = FENCE.match(line)
        if match and (not inside or match.group(1)[0] == opener[0]):
            lines.add(number)
            if inside and len(match.group(1)) >= len(opener) and not line.strip()[len(opener) :]:
                inside = False
            elif not inside:
                inside, opener = True, match.group(1)
            continue
        if inside:
            lines.add(number)
    return lines


def link_destination(line, start):
    """(start, end, destination, angled) of a link destination beginning at `start` (after
    "](" or "]:"), as CommonMark reads it; None when there is none."""
    while start < len(line) and line[start] in " \t":
        start += 1
    if start >= len(line):
        return None
    if line[start] == "<":
        end = line.find(">", start + 1)
        if end < 0 or "<" in line[start + 1 : end]:
            return None
        return start, end + 1, line[start + 1 : end], True
    depth, index = 0, start
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line):
            index += 2
            continue
        if char in " \t" or (char == ")" and depth == 0):
            break
        depth += {"(": 1, ")": -1}.get(char, 0)
        index += 1
    if index == start:
        return None
    return start, index, line[start:index], False


def code_spans(line):
    """(start, end) of each `code span` on a line: a backtick run closed by one as long."""
    runs = [(m.start(), m.end()) for m in re.finditer(r"`+", line)]
    spans, index = [], 0
    while index < len(runs):
        start, end = runs[index]
        closing = next(
            (j for j in range(index + 1, len(runs)) if runs[j][1] - runs[j][0] == end - start),
            None,
        )
        if closing is None:
            index += 1
            continue
        spans.append((start, runs[closing][1]))
        index = closing + 1
    return spans


def normalized_link(raw):
    return PARSER.normalizeLink(unescapeAll(raw))


def scan_shortcodes(text):
    """Every shortcode tag in the text, in order, in one left-to-right pass."""
    tags, position = [], 0
    while (start := text.find("{{", position)) >= 0:
        match = SHORTCODE.match(text, start, start + MAX_SHORTCODE_LENGTH)
        if match is None:
            position = start + 2
            continue
        if match.group("self") and match.group("close"):
            match = None  # {{< /x />}} is nothing Hugo knows
        if match is not None:
            tags.append(match)
            position = match.end()
        else:
            position = start + 2
    return tags


def pair_shortcodes(tags):
    """Opening index → closing index, as Hugo pairs them: a closing tag ends the nearest open
    tag of its name; tags it skips over had no closing tag."""
    pairs, stack, open_names = {}, [], {}
    for index, match in enumerate(tags):
        name = match.group("name")
        if match.group("self"):
            continue
        if not match.group("close"):
            stack.append(index)
            open_names[name] = open_names.get(name, 0) + 1
            continue
        if not open_names.get(name):
            continue  # a closing tag without its opening
        while True:
            opening = stack.pop()
            opened = tags[opening].group("name")
            open_names[opened] -= 1
            if opened == name:
                pairs[opening] = index
                break
    return pairs


def escape_title(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def link_text(text):
    return text.replace("[", "\\[").replace("]", "\\]")


class BodyConverter:
    """Converts one page's body. `site` answers refs, links and images; `warn` reports."""

    def __init__(self, page, resolver, warn, check_time=lambda: None):
        self.page = page
        self.resolver = resolver
        self.warn = warn
        # Raises once the post's time budget is spent.
        self.check_time = check_time

    def convert(self, body):
        """The body in our Markdown; Hugo's manual summary (above <!--more-->) goes to
        `self.summary`."""
        body, escaped = self.hide_escaped(MORE.sub(MORE_MARK, body, count=1))
        body = self.repoint_links_and_images(body)
        body = self.convert_shortcodes(body)
        for number, text in enumerate(escaped):
            body = body.replace(f"\x00{number}" + "\n" * text.count("\n") + "\x00", text)
        before, marked, _after = body.partition(MORE_MARK)
        self.summary = plain_text(before) if marked else ""
        return tidy_blank_lines(body.replace(MORE_MARK, ""))

    def hide_escaped(self, body):
        """Set aside {{</* … */>}}, found in one pass: each opener looks for the next closer."""
        escaped, out, position = [], [], 0
        while (opener := ESCAPED_OPEN.search(body, position)) is not None:
            closer = ESCAPED_CLOSE.search(body, opener.end())
            if closer is None:
                break  # no later opener has a closer either
            inner = body[opener.end() : closer.start()]
            escaped.append("{{" + opener.group(1) + inner + closer.group(1) + "}}")
            # The same number of lines, so later reports still name the right line.
            hidden = body[opener.start() : closer.end()]
            out.append(body[position : opener.start()])
            out.append(f"\x00{len(escaped) - 1}" + "\n" * hidden.count("\n") + "\x00")
            position = closer.end()
        out.append(body[position:])
        return "".join(out), escaped

    # Links and images, line by line outside code blocks, so reports carry real line numbers.

    def repoint_links_and_images(self, body):
        """Links and images re-pointed where the renderer's own Markdown parser finds them:
        never in code, reference definitions included, every line number true."""
        if not links_or_images_in(body):
            # Nothing below would change a byte; the parse is the costly part (seconds for
            # a body of pathological brackets or shortcodes).
            return body
        env = {}
        tokens = PARSER.parse(body, env)
        lines = body.split("\n")
        for token in tokens:
            self.check_time()
            if token.map is None:
                continue
            first, last = token.map
            if token.type == "html_block":
                self.repoint_html(lines, first, last, token.content)
            if token.type != "inline":
                continue
            for child in token.children or []:
                if child.type == "link_open" and child.markup not in {"autolink", "linkify"}:
                    self.repoint(lines, first, last, "](", child.attrs.get("href", ""), "link")
                elif child.type == "image":
                    self.repoint(lines, first, last, "](", child.attrs.get("src", ""), "image")
                elif child.type == "html_inline":
                    self.repoint_html(lines, first, last, child.content)
        for reference in env.get("references", {}).values():
            first, last = reference.get("map") or (0, 0)
            self.repoint(lines, first, last, "]:", reference.get("href", ""), "link")
        return "\n".join(lines)

    def repoint(self, lines, first, last, lead, target, kind):
        """Replace, in lines[first:last], each destination after `lead` that the parser read
        as `target` with its address here."""
        for number in range(first, min(last, len(lines))):
            line, out, position = lines[number], [], 0
            spans = code_spans(line)
            while (found := line.find(lead, position)) >= 0:
                destination = link_destination(line, found + len(lead))
                if destination is None or any(a <= found < b for a, b in spans):
                    out.append(line[position : found + len(lead)])
                    position = found + len(lead)
                    continue
                start, end, raw, angled = destination
                out.append(line[position:start])
                if normalized_link(raw) == target:
                    where = self.page.body_line + number
                    if kind == "image":
                        new = self.image_url(raw, where)
                    else:
                        new = self.resolver.link_url(self.page, raw, where)
                    out.append(f"<{new}>" if angled else new.replace(" ", "%20"))
                else:
                    out.append(line[start:end])
                position = end
            out.append(line[position:])
            lines[number] = "".join(out)

    def repoint_html(self, lines, first, last, html):
        # Raw HTML is not Markdown's tree: a pattern on the block's own lines rewrites only a
        # double-quoted src and leaves every other byte as the author wrote it, which an HTML
        # parser's re-serialisation would not.
        for number in range(first, min(last, len(lines))):
            if "<img" not in lines[number].lower():
                continue
            where = self.page.body_line + number
            lines[number] = HTML_IMAGE.sub(
                lambda m, where=where: m.group(1) + self.image_url(m.group(2), where) + m.group(3),
                lines[number],
            )

    def image_url(self, src, line):
        # An image in Markdown or HTML keeps the address the author wrote when there is no
        # file for it: the report names it, and the author may still upload it.
        return self.resolver.image_url(self.page, src, line) or src

    # Shortcodes.

    def convert_shortcodes(self, text):
        tags = scan_shortcodes(text)
        if not tags:
            return text
        self.text = text
        self.tags = tags
        self.pairs = pair_shortcodes(tags)
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self.fenced = fenced_lines(text)
        self.too_deep = False
        return self.convert_range(0, len(tags), 0, len(text), 0)

    def convert_range(self, first, last, low, high, depth):
        """Convert tags[first:last], which lie in text[low:high]."""
        text, tags, out, position, index = self.text, self.tags, [], low, first
        while index < last:
            self.check_time()
            match = tags[index]
            out.append(text[position : match.start()])
            line_index = bisect_right(self.line_starts, match.start()) - 1
            positional, named = parse_arguments(match.group("args"))
            name = match.group("name")
            code = Shortcode(name.lower(), positional, named, self.page.body_line + line_index)
            in_code = line_index in self.fenced
            if match.group("close"):
                # A closing tag without its opening: keep it visible.
                out.append(self.unknown(match.group(0), code, in_code))
                position, index = match.end(), index + 1
                continue
            end = self.pairs.get(index)
            if end is None:
                out.append(self.shortcode(code, None, match, None, in_code))
                position, index = match.end(), index + 1
                continue
            closing = tags[end]
            if code.name == "highlight":
                inner = text[match.end() : closing.start()]
            elif depth >= MAX_SHORTCODE_DEPTH:
                inner = text[match.end() : closing.start()]
                if not self.too_deep:
                    self.too_deep = True
                    self.warn(
                        "shortcodes nested too deep",
                        f"more than {MAX_SHORTCODE_DEPTH} levels; the inner ones kept as text",
                        line=code.line,
                    )
            else:
                inner = self.convert_range(index + 1, end, match.end(), closing.start(), depth + 1)
            out.append(self.shortcode(code, inner, match, closing, in_code))
            position, index = closing.end(), end + 1
        out.append(text[position:high])
        return "".join(out)

    def shortcode(self, code, inner, match, closing, in_code):
        handler = getattr(self, f"shortcode_{code.name}", None)
        if code.name in {"ref", "relref"}:
            handler = self.shortcode_ref
        if code.name in {"x", "tweet"}:
            handler = self.shortcode_post_on_x
        if code.name in {"collapse", "details"}:
            handler = self.shortcode_collapse
        if handler is None:
            original = match.group(0) + (inner or "") + (closing.group(0) if closing else "")
            return self.unknown(
                original, code, in_code, opening=match.group(0), inner=inner, closing=closing
            )
        return handler(code, inner)

    def unknown(self, original, code, in_code, opening=None, inner=None, closing=None):
        self.warn(
            "unknown shortcode",
            f"{{{{< {code.name} >}}}} is not converted; kept as text",
            line=code.line,
        )
        if in_code:
            return original
        if inner is None:
            return f"`{original}`"
        return f"`{opening}`{inner}`{closing.group(0)}`"

    def argument(self, code, name, index=None, default=""):
        if name in code.named:
            return code.named[name]
        if index is not None and len(code.positional) > index:
            return code.positional[index]
        return default

    def shortcode_figure(self, code, inner):
        src = self.argument(code, "src", 0)
        alt = self.argument(code, "alt")
        caption = self.argument(code, "caption") or self.argument(code, "title")
        url = self.figure_image_url(code, src, alt)
        link = self.argument(code, "link")
        if link:
            link = self.resolver.link_url(self.page, link, code.line)
        # Hugo renders the caption with markdownify; its own "<" comes out escaped, so a "<"
        # here is a tag the Markdown made (emphasis, code, a link).
        caption_html = inline_html(caption) if caption else ""
        if url is None:
            return figure_without_image(alt, caption_html, link)
        if "<" in caption_html:
            return figure_with_caption(f"![{link_text(alt)}]({url})", caption_html, link)
        # A caption of plain text: the image's title, which the renderer shows as its caption.
        title = f' "{escape_title(unescape(caption_html))}"' if caption else ""
        image = f"![{link_text(alt)}]({url}{title})"
        return f"\n\n{linked(image, link)}\n\n"

    def figure_image_url(self, code, src, alt):
        """The figure's image here; None when there is none to show (the report says why)."""
        if not src:
            self.warn("figure without image", "a figure shortcode has no src", line=code.line)
            return None
        if not alt:
            self.warn(
                "image without description",
                f"{src} has no alt text; describe it in the admin",
                line=code.line,
            )
        return self.resolver.image_url(self.page, src, code.line)

    def shortcode_highlight(self, code, inner):
        language = self.argument(code, "lang", 0)
        options = self.argument(code, "options", 1)
        info = language
        lines = re.search(r"hl_lines=\"?([\d\s-]+)\"?", options)
        if lines:
            info += f' hl_lines="{lines.group(1).strip()}"'
        fence = "~~~~" if "```" in (inner or "") else "```"
        return f"\n{fence}{info}\n{(inner or '').strip(chr(10))}\n{fence}\n"

    def shortcode_ref(self, code, inner):
        target = self.argument(code, "path", 0)
        language = self.argument(code, "lang") or None
        url = self.resolver.ref_url(self.page, target, language)
        if url is None:
            self.warn("broken link", f"ref {target!r} matches no imported post", line=code.line)
            return target
        return url

    def shortcode_youtube(self, code, inner):
        video = self.argument(code, "id", 0)
        title = self.argument(code, "title") or "Video on YouTube"
        return f"[{link_text(title)}](https://www.youtube.com/watch?v={quote(video)})"

    def shortcode_vimeo(self, code, inner):
        video = self.argument(code, "id", 0)
        title = self.argument(code, "title") or "Video on Vimeo"
        return f"[{link_text(title)}](https://vimeo.com/{quote(video)})"

    def shortcode_post_on_x(self, code, inner):
        user = self.argument(code, "user")
        post = self.argument(code, "id", 0)
        if user:
            return f"[Post by @{link_text(user)} on X](https://x.com/{quote(user)}/status/{quote(post)})"
        return f"[Post on X](https://x.com/i/status/{quote(post)})"

    def shortcode_gist(self, code, inner):
        user = self.argument(code, "user", 0)
        gist = self.argument(code, "id", 1)
        file = self.argument(code, "file", 2)
        url = f"https://gist.github.com/{quote(user)}/{quote(gist)}"
        if file:
            url += "#file-" + re.sub(r"[^\w-]", "-", file.lower())
        label = f"Gist {user}/{gist}" + (f" ({file})" if file else "")
        return f"[{link_text(label)}]({url})"

    def shortcode_instagram(self, code, inner):
        post = self.argument(code, "id", 0)
        return f"[Post on Instagram](https://www.instagram.com/p/{quote(post)}/)"

    def shortcode_collapse(self, code, inner):
        # Our sanitizer keeps no <details>: the hidden part becomes a titled passage.
        summary = self.argument(code, "summary", 0) or self.argument(code, "title")
        heading = f"**{summary}**\n\n" if summary else ""
        return f"\n\n{heading}{(inner or '').strip()}\n\n"


def linked(image, link):
    return f"[{image}]({link})" if link else image


def figure_with_caption(image, caption_html, link):
    """The image stays Markdown the author can edit; the rendered caption is its figure's."""
    return (
        f"\n\n<figure>\n\n{linked(image, link)}\n\n"
        f"<figcaption>{caption_html}</figcaption>\n</figure>\n\n"
    )


def figure_without_image(alt, caption_html, link):
    """What a reader can still read of a figure whose image is not here (an <img> without its
    file would show as broken): its description where the image was, and its caption."""
    parts = []
    if alt and not same_text(alt, unescape(strip_tags(caption_html))):
        # One line: a blank one would end the HTML block the figure is.
        description = escape(" ".join(alt.split()))
        if link:
            description = f'<a href="{escape(link)}">{description}</a>'
        parts.append(f"<p>{description}</p>")
    if caption_html:
        parts.append(f"<figcaption>{caption_html}</figcaption>")
    if not parts:
        return "\n\n"
    return f"\n\n<figure>{''.join(parts)}</figure>\n\n"


def tidy_blank_lines(text):
    """At most one blank line between blocks (outside code), as an author would write it."""
    fenced = fenced_lines(text)
    out = []
    for number, line in enumerate(text.strip("\n").split("\n")):
        if not line.strip() and number not in fenced and out and not out[-1].strip():
            continue
        out.append(line if line.strip() or number in fenced else "")
    return "\n".join(out).strip("\n") + "\n"


def first_paragraph(markdown_text):
    """The first paragraph of prose, as plain text: Hugo's summary when none is written."""
    fenced = fenced_lines(markdown_text)
    lines = markdown_text.split("\n")
    block = []
    for number, line in enumerate(lines):
        if number in fenced or not line.strip():
            if block:
                break
            continue
        stripped = line.strip()
        if not block and (
            stripped.startswith(("#", "![", "<", "|", "---", "***", "`{{", "[!["))
            or re.match(r"^\[[^\]]*\]:", stripped)
        ):
            continue
        block.append(line)
    return Truncator(plain_text("\n".join(block))).words(SUMMARY_WORDS, truncate="…")


NOT_PROSE = ("#", "![", "<", "|", "---", "***", "`{{", "[![", "```", "~~~", ">", "$$")


def leading_prose(markdown_text):
    """Line ranges [(first, last), …] of the paragraphs the body opens with: from its first
    paragraph of prose (after headings or a picture) to the next thing that is not prose."""
    fenced = fenced_lines(markdown_text)
    blocks, current, started = [], None, False
    for number, line in enumerate(markdown_text.split("\n")):
        stripped = line.strip()
        if number in fenced or not stripped:
            if current:
                blocks.append(tuple(current))
                current = None
            if number in fenced and started:
                break
            continue
        if current is None and (
            stripped.startswith(NOT_PROSE) or re.match(r"^\[[^\]\n]{0,1000}+\]:", stripped)
        ):
            if started:
                break
            continue
        started = True
        current = current or [number, number]
        current[1] = number
    if current:
        blocks.append(tuple(current))
    return blocks


def lines_of(markdown_text, first, last):
    return "\n".join(markdown_text.split("\n")[first : last + 1])


def without_lines(markdown_text, first, last):
    lines = markdown_text.split("\n")
    return tidy_blank_lines("\n".join(lines[:first] + lines[last + 1 :]))


def is_plain(markdown_text):
    """Whether the Markdown renders to one paragraph of text alone (no link, emphasis, code):
    then its plain text loses nothing."""
    html = render_article_body(markdown_text).html.strip()
    inner = html.removeprefix("<p>").removesuffix("</p>")
    return html.startswith("<p>") and "<" not in inner


def same_text(one, other):
    def norm(text):
        return " ".join(text.replace("…", " ").split()).rstrip(" .").casefold()

    return norm(one) == norm(other)


def plain_text(markdown_text):
    text = unescape(strip_tags(render_article_body(markdown_text).html))
    return " ".join(text.split())
