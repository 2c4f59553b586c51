"""What a page says about itself to sharing sites and search engines.

Views build a PageMeta from objects they have already loaded (no query here); base.html
prints it as canonical link, meta description, Open Graph, Twitter card and JSON-LD.
"""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, to_locale

from sitewide.social import HEIGHT, WIDTH, image_url

# As Django's json_script: nothing in the data can close the <script> element or open markup.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@dataclass
class PageMeta:
    title: str
    description: str
    url: str
    image: dict
    og_type: str = "website"
    locale: str = ""
    alternate_locales: list = field(default_factory=list)
    published: str = ""
    modified: str = ""
    author_url: str = ""
    tags: list = field(default_factory=list)
    json_ld: list = field(default_factory=list)

    def json_ld_html(self):
        """<script type="application/ld+json"> blocks: data, escaped as json_script does."""
        return mark_safe(  # noqa: S308 (the JSON is escaped for <script> just above)
            "".join(
                format_html(
                    '<script type="application/ld+json">{}</script>',
                    mark_safe(  # noqa: S308
                        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(
                            JSON_SCRIPT_ESCAPES
                        )
                    ),
                )
                for data in self.json_ld
            )
        )


def canonical_url(request, page=None):
    url = request.build_absolute_uri(request.path)
    if page is not None and page.number > 1:
        url += f"?page={page.number}"
    return url


def language():
    return get_language() or settings.LANGUAGE_CODE


def locale_of(code):
    """Open Graph's language_TERRITORY: settings.OPEN_GRAPH_LOCALES's, else the territory the
    code names (pt-br: pt_BR), else the language's own (de: de_DE, ru: ru_RU)."""
    if code in settings.OPEN_GRAPH_LOCALES:
        return settings.OPEN_GRAPH_LOCALES[code]
    locale = to_locale(code)
    return locale if "_" in locale else f"{locale}_{locale.upper()}"


def locales(text_language=None, languages=None):
    """Open Graph's locale of the text, and those of the other languages it exists in
    (all the site's, for a page every edition has)."""
    current = text_language or language()
    others = languages if languages is not None else [code for code, _name in settings.LANGUAGES]
    return locale_of(current), [locale_of(code) for code in others if code != current]


def social_image(request, kind, pk, alt, version=None, text_language=None):
    """The preview card; in the language of the text it shows (an article read in another
    edition than its own shares its own card)."""
    return {
        "url": request.build_absolute_uri(
            image_url(kind, pk, text_language or language(), version)
        ),
        "width": WIDTH,
        "height": HEIGHT,
        "alt": alt,
    }


def site_image(request, site):
    return social_image(request, "site", 1, site.name)


def breadcrumbs(request, trail):
    """BreadcrumbList from (name, path) pairs, starting at the hub."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": number,
                "name": name,
                "item": request.build_absolute_uri(path),
            }
            for number, (name, path) in enumerate(trail, start=1)
        ],
    }


def home_crumb(site):
    return (site.name, reverse("home"))


def listing_meta(
    request, site, title, description, *, page=None, schema_type="CollectionPage", trail=()
):
    """A listing: the hub (Blog), an index, a tag, an archive year, a series."""
    current, alternates = locales()
    url = canonical_url(request, page)
    main = {
        "@context": "https://schema.org",
        "@type": schema_type,
        "name": title,
        "description": description,
        "url": url,
        "inLanguage": language(),
    }
    json_ld = [main]
    if trail:
        json_ld.append(breadcrumbs(request, [home_crumb(site), *trail]))
    return PageMeta(
        title=title,
        description=description,
        url=url,
        image=site_image(request, site),
        locale=current,
        alternate_locales=alternates,
        json_ld=json_ld,
    )
