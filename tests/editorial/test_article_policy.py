"""The article rights in one policy (articles.policy), asked by the admin and its actions."""

import pytest
from django.contrib.auth.models import AnonymousUser

from articles.models import Article
from articles.policy import ArticlePolicy


@pytest.fixture
def other_draft(make_article, make_author):
    return make_article(status=Article.Status.DRAFT, published_at=None, author=make_author())


def test_an_author_writes_their_own_unpublished_articles(
    writer, draft_article, live_article, other_draft
):
    policy = ArticlePolicy(writer)
    assert not policy.publishes
    assert policy.may_add()
    assert policy.may_edit(draft_article)
    assert not policy.proposes_changes(draft_article)
    # Their live article: not changed as it stands, but changes proposed for an editor.
    assert not policy.may_edit(live_article)
    assert policy.proposes_changes(live_article)
    assert policy.may_change(live_article)
    assert not policy.may_view(other_draft)
    assert not policy.may_change(other_draft)
    assert list(policy.visible(Article.objects.order_by("pk"))) == [draft_article, live_article]
    assert not policy.may_set_status(Article.Status.PUBLISHED)
    assert policy.may_set_status(Article.Status.REVIEW)


def test_an_editor_may_do_everything(editor, live_article, other_draft):
    policy = ArticlePolicy(editor)
    assert policy.publishes
    assert policy.may_add()
    for article in (live_article, other_draft):
        assert policy.may_view(article)
        assert policy.may_edit(article)
        assert not policy.proposes_changes(article)
    assert policy.visible(Article.objects.all()).count() == 2
    assert policy.may_set_status(Article.Status.PUBLISHED)


def test_a_group_member_with_no_author_profile_may_add_nothing(make_user):
    policy = ArticlePolicy(make_user("nobody", "Authors"))
    assert policy.author is None
    assert not policy.may_add()
    assert ArticlePolicy(AnonymousUser()).author is None
