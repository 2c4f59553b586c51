"""An editor revokes every preview link to an article at once."""

import importlib
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User

from articles.models import Article
from articles.preview import SALT, preview_key_from_token, preview_token

groups_migration = importlib.import_module("articles.migrations.0003_editorial_groups")


def preview(client, token):
    return client.get(f"/en/preview/{token}/")


@pytest.fixture
def editor_client(client, db):
    groups_migration.create_groups(apps, None)
    editor = User.objects.create(username="erin", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    return client


def act(client, action, article):
    return client.post(
        "/admin/articles/article/",
        {"action": action, "_selected_action": [article.pk]},
        follow=True,
    )


def test_revoking_stops_every_link_given_out_so_far(client, editor_client, draft_article):
    old = [preview_token(draft_article), preview_token(draft_article)]
    response = act(editor_client, "revoke_preview_links", draft_article)
    assert "stopped working" in response.content.decode()
    for token in old:
        response = preview(client, token)
        assert response.status_code == 404
        assert "This preview link does not work" in response.content.decode()
    fresh = preview_token(Article.objects.get(pk=draft_article.pk))
    assert preview(client, fresh).status_code == 200


def test_the_admin_page_offers_the_new_link_after_revoking(client, editor_client, draft_article):
    act(editor_client, "revoke_preview_links", draft_article)
    page = editor_client.get(f"/admin/articles/article/{draft_article.pk}/change/").content
    offered = set(re.findall(r'value="http://[^"]+/(?:en|ru)/preview/([^/"]+)/"', page.decode()))
    assert offered
    for token in offered:
        assert preview_key_from_token(token) == (draft_article.pk, 1)
        assert preview(client, token).status_code == 200


def test_unpublishing_revokes_the_links(client, editor_client, live_article):
    token = preview_token(live_article)
    assert preview(client, token).status_code == 302  # live: sent to the public page
    act(editor_client, "unpublish", live_article)
    assert preview(client, token).status_code == 404


def test_saving_a_form_opened_before_the_revocation_keeps_the_links_revoked(client, draft_article):
    stale = Article.objects.get(pk=draft_article.pk)
    token = preview_token(stale)
    draft_article.revoke_preview_links()
    stale.title_en = "Edited in a tab opened earlier"
    stale.save()
    assert preview(client, token).status_code == 404


def test_authors_cannot_revoke_links(client, db, draft_article):
    groups_migration.create_groups(apps, None)
    writer = User.objects.create(username="ada", is_staff=True)
    writer.groups.add(Group.objects.get(name="Authors"))
    draft_article.author.user = writer
    draft_article.author.save()
    client.force_login(writer)
    token = preview_token(draft_article)
    act(client, "revoke_preview_links", draft_article)
    assert preview(client, token).status_code == 200


def test_a_link_from_before_versions_still_opens_until_revoked(client, draft_article):
    from django.core import signing

    token = signing.dumps(draft_article.pk, salt=SALT, compress=True)
    assert preview(client, token).status_code == 200
    draft_article.revoke_preview_links()
    assert preview(client, token).status_code == 404


@pytest.mark.parametrize("payload", [[1], [1, 2, 3], ["1", 0], [1, "0"], {"pk": 1}, [True, 0]])
def test_odd_signed_payloads_are_no_links(client, draft_article, payload):
    from django.core import signing

    token = signing.dumps(payload, salt=SALT, compress=True)
    assert preview(client, token).status_code == 404


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.REVIEW])
def test_setting_a_published_article_back_through_the_form_revokes_the_links(
    editor_client, scheduled_article, status
):
    from django.test import Client

    token = preview_token(scheduled_article)
    reader = Client()
    assert preview(reader, token).status_code == 200
    form = {
        "title_en": scheduled_article.title_en,
        "slug": scheduled_article.slug,
        "summary_en": scheduled_article.summary_en,
        "body_en": scheduled_article.body_en,
        "author": scheduled_article.author_id,
        "status": status,
    }
    response = editor_client.post(f"/admin/articles/article/{scheduled_article.pk}/change/", form)
    assert response.status_code == 302
    assert preview(reader, token).status_code == 404
