from modeltranslation.translator import TranslationOptions, register

from articles.models import Article, Author, Tag


@register(Article)
class ArticleTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "body", "cover_alt", "body_html", "toc_html", "reading_minutes")


@register(Author)
class AuthorTranslationOptions(TranslationOptions):
    fields = ("bio",)


@register(Tag)
class TagTranslationOptions(TranslationOptions):
    fields = ("name",)
