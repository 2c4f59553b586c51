"""Who may do what with articles: authors write their own unpublished articles, editors publish.

The rule lives here once; the admin, its actions and its extra views ask an `ArticlePolicy`.
Django's model permissions (the groups) come first: the policy only narrows them.
"""

from django.utils.functional import cached_property

from articles.models import Article, Author


class ArticlePolicy:
    """One user's rights over articles, beyond the model permissions their groups give."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def publishes(self):
        """Editors publish, schedule, unpublish, and see and change every article."""
        return self.user.has_perm("articles.publish_article")

    @cached_property
    def author(self):
        """The author profile this user writes as, or None."""
        if not self.user.is_authenticated:
            return None
        return Author.objects.filter(user=self.user).first()

    def owns(self, article):
        return article.author.user_id == self.user.pk

    def visible(self, queryset):
        """The articles this user may find in the admin."""
        return queryset if self.publishes else queryset.filter(author__user=self.user)

    def may_add(self):
        return self.publishes or self.author is not None

    def may_view(self, article):
        return article is None or self.publishes or self.owns(article)

    def may_edit(self, article):
        """Change or delete as it stands: an author only until an editor has published it."""
        if article is None or self.publishes:
            return True
        return self.owns(article) and article.status != Article.Status.PUBLISHED

    def proposes_changes(self, article):
        """An author editing their published article: the edit waits for an editor."""
        return (
            article is not None
            and article.status == Article.Status.PUBLISHED
            and not self.publishes
            and self.owns(article)
        )

    def may_change(self, article):
        return self.may_edit(article) or self.proposes_changes(article)

    def may_set_status(self, status):
        return self.publishes or status != Article.Status.PUBLISHED
