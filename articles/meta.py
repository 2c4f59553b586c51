"""What article and author pages say about themselves to search engines and sharing sites."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from sitewide.languages import shown_language
from sitewide.metadata import (
    PageMeta,
    breadcrumbs,
    canonical_url,
    home_crumb,
    language,
    listing_meta,
    locales,
    social_image,
)
from sitewide.social import HEIGHT, WIDTH


def person(request, author):
    data = {
        "@type": "Person",
        "name": author.name,
        "url": request.build_absolute_uri(author.get_absolute_url()),
    }
    if author.avatar:
        data["image"] = request.build_absolute_uri(author.avatar.url)
    return data


def author_meta(request, site, author, page=None):
    description = author.bio or _("Articles by %(author)s.") % {"author": author.name}
    meta = listing_meta(
        request,
        site,
        author.name,
        description,
        page=page,
        schema_type="ProfilePage",
        trail=[
            (_("Authors"), reverse("articles:authors")),
            (author.name, author.get_absolute_url()),
        ],
    )
    meta.og_type = "profile"
    meta.json_ld[0]["mainEntity"] = {"@context": "https://schema.org", **person(request, author)}
    meta.json_ld.insert(1, {"@context": "https://schema.org", **person(request, author)})
    return meta


def article_meta(request, site, article, part=None):
    """BlogPosting with its author, dates, image, language and, given its part, its series."""
    series = part.series if part is not None else None
    # The language of the text (an article missing in the page's language shows another's):
    # what JSON-LD and Open Graph say, and where the canonical address is.
    text_language = shown_language(article, "title") or language()
    current, alternates = locales(text_language, article.languages)
    if text_language == language():
        url = canonical_url(request)
    else:
        with override(text_language):
            url = request.build_absolute_uri(article.get_absolute_url())
    description = article.description or site.tagline
    image = social_image(
        request, "article", article.pk, article.title, article.updated_at, text_language
    )
    posting = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": article.title,
        "description": description,
        "author": person(request, article.author),
        "datePublished": article.published_at,
        "dateModified": article.updated_at,
        "image": {"@type": "ImageObject", "url": image["url"], "width": WIDTH, "height": HEIGHT},
        "inLanguage": text_language,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "keywords": [tag.name for tag in article.tags.all()],
        "publisher": {
            "@type": "Organization",
            "name": site.name,
            "url": request.build_absolute_uri(reverse("home")),
        },
    }
    trail = [home_crumb(site)]
    if series is not None:
        series_url = request.build_absolute_uri(series.get_absolute_url())
        posting["isPartOf"] = {
            "@type": "CreativeWorkSeries",
            "name": series.title,
            "url": series_url,
        }
        posting["position"] = part.position
        trail.append((series.title, series.get_absolute_url()))
    trail.append((article.title, article.get_absolute_url()))
    return PageMeta(
        title=article.title,
        description=description,
        url=url,
        image=image,
        og_type="article",
        locale=current,
        alternate_locales=alternates,
        published=article.published_at.isoformat(),
        modified=article.updated_at.isoformat(),
        author_url=posting["author"]["url"],
        tags=posting["keywords"],
        json_ld=[posting, breadcrumbs(request, trail)],
    )
