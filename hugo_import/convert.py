"""Hugo Markdown to ours: shortcodes converted or kept visible, links and images re-pointed.

The result is plain Markdown that goes through the same renderer and sanitizer as anything
an author writes; embeds become links, never iframes.
"""

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import quote

from django.utils.html import strip_tags
from django.utils.text import Truncator

from articles.rendering import render_article_body

# {{< name args >}}, {{% name args %}}, {{< /name >}}, {{< name args />}}
SHORTCODE = re.compile(
    r"\{\{(?P<delim>[<%])\s*(?P<close>/)?\s*(?P<name>[\w.-]+)(?P<args>(?:[^>%}\"]|\"[^\"]*\")*?)"
    r"\s*(?P<self>/)?\s*[>%]\}\}"
)
# {{</* name */>}}: Hugo's way of writing a shortcode that is shown, not run.
ESCAPED_SHORTCODE = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.S)
ARGUMENT = re.compile(r'(?:(\w+)=)?("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`]+)')
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
IMAGE = re.compile(r'!\[(?P<alt>[^\]]*)\]\((?P<src><[^>]+>|[^\s)]+)(?P<title>\s+"[^"]*")?\)')
LINK = re.compile(r'(?<!!)\[(?P<text>[^\]]*)\]\((?P<href><[^>]+>|[^\s)]+)(?P<title>\s+"[^"]*")?\)')
REFERENCE = re.compile(r"^(?P<lead> {0,3}\[[^\]]+\]:\s*)(?P<href>\S+)", re.M)
HTML_IMAGE = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")', re.I)
MORE = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.M | re.I)
SUMMARY_WORDS = 60
MORE_MARK = "\x00more\x00"


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


def escape_title(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def link_text(text):
    return text.replace("[", "\\[").replace("]", "\\]")


class BodyConverter:
    """Converts one page's body. `site` answers refs, links and images; `warn` reports."""

    def __init__(self, page, resolver, warn):
        self.page = page
        self.resolver = resolver
        self.warn = warn

    def convert(self, body):
        """The body in our Markdown; Hugo's manual summary (above <!--more-->) goes to
        `self.summary`."""
        body, escaped = self.hide_escaped(MORE.sub(MORE_MARK, body, count=1))
        body = self.repoint_links_and_images(body)
        body = self.convert_shortcodes(body, 0, fenced_lines(body), body)
        for number, text in enumerate(escaped):
            body = body.replace(f"\x00{number}" + "\n" * text.count("\n") + "\x00", text)
        before, marked, _after = body.partition(MORE_MARK)
        self.summary = plain_text(before) if marked else ""
        return tidy_blank_lines(body.replace(MORE_MARK, ""))

    def hide_escaped(self, body):
        escaped = []

        def hide(match):
            escaped.append("{{" + match.group(1) + match.group(2) + match.group(3) + "}}")
            # The same number of lines, so later reports still name the right line.
            return f"\x00{len(escaped) - 1}" + "\n" * match.group(0).count("\n") + "\x00"

        return ESCAPED_SHORTCODE.sub(hide, body), escaped

    def line_of(self, whole, offset):
        return self.page.body_line + whole.count("\n", 0, offset)

    # Links and images, line by line outside code blocks, so reports carry real line numbers.

    def repoint_links_and_images(self, body):
        lines = body.split("\n")
        fenced = fenced_lines(body)
        for number, line in enumerate(lines):
            if number in fenced:
                continue
            where = self.page.body_line + number
            line = IMAGE.sub(lambda m, where=where: self.image_markdown(m, where), line)
            line = HTML_IMAGE.sub(
                lambda m, where=where: m.group(1) + self.image_url(m.group(2), where) + m.group(3),
                line,
            )
            line = LINK.sub(lambda m, where=where: self.link_markdown(m, where), line)
            lines[number] = line
        return REFERENCE.sub(
            lambda m: m.group("lead") + self.resolver.link_url(self.page, m.group("href"), None),
            "\n".join(lines),
        )

    def image_markdown(self, match, line):
        src = match.group("src").strip("<>")
        url = self.image_url(src, line)
        return f"![{match.group('alt')}]({url}{match.group('title') or ''})"

    def image_url(self, src, line):
        return self.resolver.image_url(self.page, src, line)

    def link_markdown(self, match, line):
        href = match.group("href").strip("<>")
        url = self.resolver.link_url(self.page, href, line)
        return f"[{match.group('text')}]({url}{match.group('title') or ''})"

    # Shortcodes.

    def convert_shortcodes(self, text, base, fenced, whole):
        """Convert the shortcodes in `text`, which starts at `base` in `whole`."""
        out, position = [], 0
        for match in SHORTCODE.finditer(text):
            if match.start() < position:
                continue
            out.append(text[position : match.start()])
            position = match.end()
            absolute = base + match.start()
            line_index = whole.count("\n", 0, absolute)
            name = match.group("name")
            positional, named = parse_arguments(match.group("args"))
            code = Shortcode(name.lower(), positional, named, self.page.body_line + line_index)
            closing = None
            if not match.group("close") and not match.group("self"):
                closing = self.find_closing(text, name, match.end())
            if match.group("close"):
                # A closing tag without its opening: keep it visible.
                out.append(self.unknown(match.group(0), code, line_index in fenced))
                continue
            inner = None
            if closing is not None:
                inner = text[match.end() : closing.start()]
                if code.name != "highlight":
                    inner = self.convert_shortcodes(inner, base + match.end(), fenced, whole)
                position = closing.end()
            out.append(self.shortcode(code, inner, match, closing, line_index in fenced))
        out.append(text[position:])
        return "".join(out)

    def find_closing(self, text, name, start):
        depth = 1
        pattern = re.compile(r"\{\{[<%]\s*(/)?\s*" + re.escape(name) + r"(?=[\s/>%])[^}]*?[>%]\}\}")
        for match in pattern.finditer(text, start):
            if match.group(0).rstrip("}>% ").endswith("/") and not match.group(1):
                continue  # self-closing
            depth += -1 if match.group(1) else 1
            if depth == 0:
                return match
        return None

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
        if not src:
            self.warn("figure without image", "a figure shortcode has no src", line=code.line)
            return caption
        if not alt:
            self.warn(
                "image without description",
                f"{src} has no alt text; describe it in the admin",
                line=code.line,
            )
        url = self.image_url(src, code.line)
        title = f' "{escape_title(strip_tags(caption))}"' if caption else ""
        image = f"![{link_text(alt)}]({url}{title})"
        link = self.argument(code, "link")
        if link:
            image = f"[{image}]({self.resolver.link_url(self.page, link, code.line)})"
        return f"\n\n{image}\n\n"

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


def plain_text(markdown_text):
    text = unescape(strip_tags(render_article_body(markdown_text).html))
    return " ".join(text.split())
