from django.contrib.auth.models import Group

from articles.models import Article

CHANGELIST = "/admin/articles/article/"


def article_form(article, **changes):
    data = {
        "title_en": article.title_en,
        "slug": article.slug,
        "summary_en": article.summary_en or "",
        "body_en": article.body_en or "",
        "author": article.author_id,
        "status": article.status,
    }
    return {**data, **changes}


def test_migration_creates_both_groups_and_only_editors_may_publish(editorial_groups):
    authors = set(Group.objects.get(name="Authors").permissions.values_list("codename", flat=True))
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert {"add_article", "change_article", "view_article"} <= authors
    assert "publish_article" not in authors
    assert {"publish_article", "change_article", "delete_article"} <= editors


def test_author_sees_only_their_own_articles(writer_client, make_article, author):
    make_article(title_en="Mine", status=Article.Status.DRAFT, author=author)
    make_article(title_en="Someone else's", status=Article.Status.DRAFT)
    page = writer_client.get(CHANGELIST).content.decode()
    assert "Mine" in page
    assert "Someone else&#x27;s" not in page


def test_author_cannot_open_or_change_another_authors_article(writer_client, make_article):
    other = make_article(title_en="Not yours", status=Article.Status.DRAFT)
    url = f"{CHANGELIST}{other.pk}/change/"
    assert writer_client.get(url).status_code == 302  # "doesn't exist", back to the index
    writer_client.post(url, article_form(other, title_en="Taken over"))
    other.refresh_from_db()
    assert other.title_en == "Not yours"


def test_author_cannot_choose_published(writer_client, draft_article):
    url = f"{CHANGELIST}{draft_article.pk}/change/"
    page = writer_client.get(url).content.decode()
    assert 'value="published"' not in page
    response = writer_client.post(url, article_form(draft_article, status="published"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    draft_article.refresh_from_db()
    assert draft_article.status == Article.Status.DRAFT


def test_author_cannot_set_the_publish_time(writer_client, draft_article, now):
    url = f"{CHANGELIST}{draft_article.pk}/change/"
    writer_client.post(
        url, article_form(draft_article, published_at_0="2030-01-01", published_at_1="10:00")
    )
    draft_article.refresh_from_db()
    assert draft_article.published_at is None or draft_article.published_at < now


def test_author_has_no_publishing_actions(writer_client, draft_article):
    page = writer_client.get(CHANGELIST).content.decode()
    assert 'value="publish_now"' not in page
    assert 'value="schedule"' not in page
    writer_client.post(
        CHANGELIST, {"action": "publish_now", "_selected_action": [draft_article.pk], "index": 0}
    )
    draft_article.refresh_from_db()
    assert draft_article.status == Article.Status.DRAFT


def test_author_edit_of_their_scheduled_article_waits_for_an_editor(
    writer_client, scheduled_article
):
    url = f"{CHANGELIST}{scheduled_article.pk}/change/"
    writer_client.post(url, article_form(scheduled_article, title_en="Rewritten"))
    scheduled_article.refresh_from_db()
    assert scheduled_article.title_en == "Coming next week"
    assert scheduled_article.pending_changes == {"title_en": "Rewritten"}


def test_author_writes_a_new_article_as_themselves_and_submits_it(writer_client, author):
    response = writer_client.post(
        f"{CHANGELIST}add/",
        {
            "title_en": "My first post",
            "slug": "my-first-post",
            "body_en": "Hello",
            "status": "draft",
            "_submit_for_review": "Submit for review",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug="my-first-post")
    assert article.author == author
    assert article.status == Article.Status.REVIEW
    assert "Submitted for review" in writer_client.get(response.url).content.decode()


def test_editor_sees_and_changes_every_article(editor_client, make_article):
    article = make_article(title_en="By someone", status=Article.Status.REVIEW)
    assert "By someone" in editor_client.get(CHANGELIST).content.decode()
    url = f"{CHANGELIST}{article.pk}/change/"
    response = editor_client.post(url, article_form(article, title_en="Edited by the editor"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title_en == "Edited by the editor"


def test_editor_can_publish_through_the_form(editor_client, draft_article):
    url = f"{CHANGELIST}{draft_article.pk}/change/"
    editor_client.post(url, article_form(draft_article, status="published"))
    draft_article.refresh_from_db()
    assert draft_article.is_live


def test_author_cannot_revert_another_authors_article_through_its_history(
    writer_client, make_article
):
    import reversion
    from reversion.models import Version

    other = make_article(title_en="Theirs", status=Article.Status.DRAFT)
    with reversion.create_revision():
        other.save()
    version = Version.objects.get_for_object(other).first()
    url = f"{CHANGELIST}{other.pk}/history/{version.pk}/"
    assert writer_client.post(url, article_form(other, title_en="Hijacked")).status_code == 403
    other.refresh_from_db()
    assert other.title_en == "Theirs"
