from modeltranslation.translator import TranslationOptions, register

from articles.models import Article, Author, Tag
from sitewide.languages import CONTENT_FALLBACK


@register(Article)
class ArticleTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "body", "cover_alt", "body_html", "toc_html", "reading_minutes")
    fallback_languages = CONTENT_FALLBACK


@register(Author)
class AuthorTranslationOptions(TranslationOptions):
    fields = ("bio",)
    fallback_languages = CONTENT_FALLBACK


@register(Tag)
class TagTranslationOptions(TranslationOptions):
    fields = ("name",)
    fallback_languages = CONTENT_FALLBACK
