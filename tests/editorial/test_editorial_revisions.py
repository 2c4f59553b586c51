from reversion.models import Version

from articles.models import Article

CHANGELIST = "/admin/articles/article/"


def edit(client, article, **changes):
    data = {
        "title_en": article.title_en,
        "slug": article.slug,
        "body_en": article.body_en,
        "author": article.author_id,
        "status": article.status,
        **changes,
    }
    response = client.post(f"{CHANGELIST}{article.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()


def test_each_admin_save_keeps_a_revision_with_who_and_what(editor_client, editor, draft_article):
    edit(editor_client, draft_article, body_en="## First\n\nOriginal words.")
    edit(editor_client, draft_article, body_en="## First\n\nRewritten words.")
    versions = Version.objects.get_for_object(draft_article)
    assert versions.count() == 2
    assert {v.revision.user for v in versions} == {editor}
    assert "Changed Body" in versions.first().revision.get_comment()


def test_editor_views_an_earlier_body_and_restores_it(editor_client, draft_article):
    edit(editor_client, draft_article, body_en="## First\n\nOriginal words.")
    edit(editor_client, draft_article, body_en="## First\n\nRewritten words.")
    first = Version.objects.get_for_object(draft_article).order_by("pk").first()
    url = f"{CHANGELIST}{draft_article.pk}/history/{first.pk}/"

    page = editor_client.get(url).content.decode()
    assert "Original words." in page
    draft_article.refresh_from_db()
    assert "Rewritten words." in draft_article.body_en  # looking changes nothing

    form = {
        "title_en": draft_article.title_en,
        "slug": draft_article.slug,
        "body_en": first.field_dict["body_en"],
        "author": draft_article.author_id,
        "status": "draft",
    }
    assert editor_client.post(url, form).status_code == 302
    draft_article.refresh_from_db()
    assert "Original words." in draft_article.body_en
    assert "Original words." in draft_article.body_html_en
    latest = Version.objects.get_for_object(draft_article).first()
    assert "Reverted to previous version" in latest.revision.get_comment()


def test_history_page_lists_revisions(editor_client, draft_article):
    edit(editor_client, draft_article, title_en="Better title")
    page = editor_client.get(f"{CHANGELIST}{draft_article.pk}/history/").content.decode()
    assert "erin" in page
    assert "Changed Title" in page
    assert Article.objects.get(pk=draft_article.pk).title_en == "Better title"
