"""Markdown to safe HTML: one renderer for the admin preview and the public page."""

import math
import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import unquote, urljoin

import markdown
import nh3
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.utils.html import escape, strip_tags
from markdown.extensions.toc import slugify_unicode
from PIL import Image

from sitewide.images import RENDITIONS_PATH
from sitewide.renditions import responsive_attributes

WORDS_PER_MINUTE = 220

EXTENSIONS = [
    "markdown.extensions.tables",
    "markdown.extensions.footnotes",
    "markdown.extensions.def_list",
    "markdown.extensions.abbr",
    "markdown.extensions.sane_lists",
    "markdown.extensions.toc",
    "pymdownx.superfences",
    "pymdownx.highlight",
    "pymdownx.tasklist",
    "pymdownx.tilde",
]
EXTENSION_CONFIGS = {
    "markdown.extensions.toc": {"toc_depth": "1-3", "slugify": slugify_unicode},
    "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight", "guess_lang": False},
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "kbd",
    "li", "mark", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "code": {"class"},
    "div": {"class"},
    "img": {"src", "alt", "title", "width", "height"},
    "input": {"type", "checked", "disabled"},
    "li": {"id", "class"},
    "ol": {"start"},
    "pre": {"class"},
    "span": {"class"},
    "sup": {"id"},
    "td": {"style"},
    "th": {"style"},
    "ul": {"class"},
    **{f"h{level}": {"id"} for level in range(2, 7)},
}


# An image alone in its paragraph with a title ![alt](src "caption") becomes a captioned figure.
FIGURE = re.compile(r'<p>(<img [^>]*\btitle="([^"]+)"[^>]*>)</p>')
# ![](src): an image with nothing for screen readers to say.
IMAGE_WITHOUT_ALT = re.compile(r"!\[\s*\]\(")


def figure(match):
    image, title = match.groups()
    # The title is an attribute value: turned into text it is escaped again here, so the
    # caption is plain text whatever the sanitizer left unescaped inside attributes.
    return f"<figure>{image}<figcaption>{escape(unescape(title))}</figcaption></figure>"


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


@dataclass(frozen=True)
class Rendered:
    html: str
    toc_html: str
    minutes: int


def _keep_attribute(tag, attribute, value):
    # Images come only from our own media or over https: no tracking pixels over http.
    if tag == "img" and attribute == "src":
        return value if value.startswith((settings.MEDIA_URL, "https://")) else None
    if tag == "input" and attribute == "type":
        return value if value == "checkbox" else None
    return value


def sanitize(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_keep_attribute,
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer",
    )


def with_absolute_urls(html, page_url):
    """Sanitized `html` whose links and images work away from the page (feeds, emails)."""

    def keep(tag, attribute, value):
        value = _keep_attribute(tag, attribute, value)
        if value is not None and attribute in {"href", "src"}:
            value = urljoin(page_url, value)
        return value

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=keep,
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer",
    )


def reading_minutes(html):
    words = len(re.findall(r"\w+", strip_tags(html)))
    return math.ceil(words / WORDS_PER_MINUTE) if words else 0


def render_article_body(text):
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    # The page title is the only h1: a "#" heading in the body becomes an h2.
    html = sanitize(re.sub(r"<(/?)h1\b", r"<\1h2", md.convert(text)))
    html = FIGURE.sub(figure, html)
    html = MEDIA_IMAGE.sub(sized_image, html)
    # Code and tables scroll sideways on a phone; keyboard readers must be able to scroll them.
    html = html.replace("<pre>", '<pre tabindex="0">').replace("<table>", '<table tabindex="0">')
    # A contents list of one heading helps nobody.
    headings = sum(1 + len(token["children"]) for token in md.toc_tokens)
    toc_html = sanitize(md.toc) if headings >= 2 else ""
    return Rendered(html=html, toc_html=toc_html, minutes=reading_minutes(html))


def markdownify(text):
    """The markdownx preview: exactly the body the public page will show."""
    return render_article_body(text).html
