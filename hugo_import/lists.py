"""Hugo's list pages at the addresses Hugo gave them: the home page, sections, taxonomy indexes
and terms, each with its numbered pages and its feed, in every language.

Computed from the config the way Hugo computes them (language prefix, uglyURLs, pager size,
the RSS file name), and from the pages Hugo published (no drafts, nothing future or expired).
"""

import math
from dataclasses import dataclass

from django.conf import settings

from hugo_import.site import urlize

LANGUAGES = [code for code, _name in settings.LANGUAGES]

# What each taxonomy's terms are here; any other taxonomy's terms are looked up as tags.
TAXONOMY_KINDS = {"series": ("series_list", "series", "series_feed")}
AUTHOR_TAXONOMIES = {"author", "authors"}
TAG_KINDS = ("tags", "tag", "tag_feed")
AUTHOR_KINDS = ("authors", "author", "author_feed")


@dataclass(frozen=True)
class ListAddress:
    path: str
    language: str
    kind: str
    slug: str = ""
    first_item: int = 0  # the position of the page's first entry in the whole list


class ListAddresses:
    def __init__(self, site, slug_of):
        """`slug_of(taxonomy, name, language, pages)` is the slug the term has here (a tag's,
        a series'…), or "" when nothing here matches it."""
        self.site = site
        self.config = site.config
        self.slug_of = slug_of
        self.found = {}

    def add(self, path, language, kind, slug="", first_item=0):
        self.found.setdefault(path, ListAddress(path, language, kind, slug, first_item))

    def list_page(self, base, language, kind, slug="", items=0, feed_kind="feed", home=False):
        """A list at `base` (a folder path such as /posts/), its numbered pages and its feed."""
        config = self.config
        ugly = config.ugly_urls
        # The home page itself stays with the site: / chooses the reader's language.
        if not home:
            self.add(base.rstrip("/") + ".html" if ugly else base, language, kind, slug)
        # Hugo before 0.128 ignored [pagination] and paged by 10: cover both.
        pages = max(1, math.ceil(items / min(config.pager_size, 10)))
        for number in range(1, pages + 1):
            page = f"{base}{config.pager_path}/{number}" + (".html" if ugly else "/")
            self.add(page, language, kind, slug, (number - 1) * config.pager_size)
        self.add(f"{base}{config.rss_name}.xml", language, feed_kind, slug)

    def compute(self, pages):
        """Every list address of the published `pages` (Page objects)."""
        config = self.config
        archives = [page for page in self.site.archive_pages() if page.language in LANGUAGES]
        for page in archives:
            for path in self.site.exact_paths(page):
                self.add(path, page.language, "archive")
        for page in self.site.archive_pages(layouts=("search",)):
            if page.language not in LANGUAGES:
                continue
            for path in self.site.exact_paths(page):
                self.add(path, page.language, "search")
        for language in [code for code in config.content_dirs if code in LANGUAGES]:
            prefix = self.site.language_prefix(language)
            mine = [page for page in pages if page.language == language]
            if not mine:
                continue
            base = prefix + "/"
            # Hugo's home lists every regular page, the archive page at the root included.
            roots = sum(1 for page in archives if page.language == language)
            self.list_page(base, language, "home", items=len(mine) + roots, home=True)
            sections = {
                tuple(page.dirs[:depth]) for page in mine for depth in range(1, len(page.dirs) + 1)
            }
            for section in sorted(sections):
                if len(section) > 1 and not self.site.has_section_page(section):
                    continue  # a nested folder is a section only with its _index.md
                count = sum(1 for page in mine if tuple(page.dirs[: len(section)]) == section)
                path = (
                    prefix
                    + "/"
                    + "/".join(
                        part.lower() if self.config.lower_paths else part for part in section
                    )
                )
                self.list_page(path + "/", language, "home", items=count)
            for taxonomy in self.site.taxonomies(language):
                self.taxonomy(prefix, language, taxonomy, mine)
        return list(self.found.values())

    def taxonomy(self, prefix, language, taxonomy, pages):
        if taxonomy in TAXONOMY_KINDS:
            index, term, feed = TAXONOMY_KINDS[taxonomy]
        elif taxonomy in AUTHOR_TAXONOMIES:
            index, term, feed = AUTHOR_KINDS
        else:
            index, term, feed = TAG_KINDS
        terms = {}
        for page in pages:
            for name in page.terms(taxonomy):
                url_name = urlize(name).lower() if self.config.lower_paths else urlize(name)
                terms.setdefault(url_name, [name, []])[1].append(page)
        base = f"{prefix}/{taxonomy}/"
        # Hugo writes a declared taxonomy's index even while no page uses it.
        self.list_page(base, language, index, items=len(terms))
        for url_name, (name, tagged) in sorted(terms.items()):
            count = len(tagged)
            slug = self.slug_of(taxonomy, name, language, tagged)
            if slug:
                self.list_page(f"{base}{url_name}/", language, term, slug, count, feed)
