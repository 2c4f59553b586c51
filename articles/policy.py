"""Who may do what with articles: authors write their own unpublished ones, editors publish.

The Django model permissions («Authors» and «Editors» groups) say which kinds of change a
user may make at all; this policy says to which articles. The admin asks it, nothing else.
"""

from functools import cached_property

from articles.models import Article, Author


class ArticlePolicy:
    def __init__(self, user):
        self.user = user

    @classmethod
    def of(cls, request):
        """The policy for the request's user, made once per request."""
        if getattr(request, "_article_policy", None) is None:
            request._article_policy = cls(request.user)
        return request._article_policy

    @cached_property
    def author(self):
        """The author the user writes as, or None."""
        if not self.user.is_authenticated:
            return None
        return Author.objects.filter(user=self.user).first()

    @cached_property
    def may_publish(self):
        return self.user.has_perm("articles.publish_article")

    def visible(self, articles):
        """Editors see every article; anyone else their own."""
        return articles if self.may_publish else articles.filter(author__user=self.user)

    def owns(self, article):
        return article.author.user_id == self.user.pk

    @property
    def may_add(self):
        # Without an author to write as, an author's article would belong to nobody.
        return self.may_publish or self.author is not None

    def may_view(self, article):
        return article is None or self.may_publish or self.owns(article)

    def may_edit(self, article):
        """Change or delete; once an editor has published or scheduled it, only editors do."""
        if article is None or self.may_publish:
            return True
        return self.owns(article) and article.status != Article.Status.PUBLISHED

    def may_set_status(self, status):
        return self.may_publish or status != Article.Status.PUBLISHED

    @property
    def readonly_fields(self):
        """Fields only editors set: an author's articles are theirs, dated by publishing."""
        return [] if self.may_publish else ["author", "published_at"]
