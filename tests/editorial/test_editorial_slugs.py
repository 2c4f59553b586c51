import pytest

from articles.models import Article, Redirect


@pytest.mark.parametrize("language", ["en", "ru"])
def test_renamed_live_article_keeps_its_old_address(client, live_article, language):
    live_article.slug = "pool-sizing-guide"
    live_article.save()
    response = client.get(f"/{language}/posts/pool-sizing/")
    assert response.status_code == 301
    assert response["Location"] == f"/{language}/posts/pool-sizing-guide/"
    assert client.get(response["Location"]).status_code == 200


def test_renaming_twice_redirects_both_old_addresses_straight_to_the_new_one(client, live_article):
    for slug in ["second", "third"]:
        live_article.slug = slug
        live_article.save()
    for old in ["pool-sizing", "second"]:
        assert client.get(f"/en/posts/{old}/")["Location"] == "/en/posts/third/"


def test_renaming_back_never_loops(client, live_article):
    live_article.slug = "other"
    live_article.save()
    live_article.slug = "pool-sizing"
    live_article.save()
    assert client.get("/en/posts/pool-sizing/").status_code == 200
    assert client.get("/en/posts/other/")["Location"] == "/en/posts/pool-sizing/"
    assert not Redirect.objects.filter(old_slug="pool-sizing").exists()


def test_renaming_a_draft_leaves_no_redirect(draft_article):
    draft_article.slug = "new-draft-slug"
    draft_article.save()
    assert not Redirect.objects.exists()


def test_old_address_of_an_unpublished_article_is_404(client, live_article):
    live_article.slug = "renamed"
    live_article.save()
    live_article.status = Article.Status.DRAFT
    live_article.save()
    # The redirect must not reveal the new address of an article that is no longer public.
    assert client.get("/en/posts/pool-sizing/").status_code == 404


def test_a_new_live_article_can_take_over_an_old_slug(client, live_article, make_article):
    live_article.slug = "renamed"
    live_article.save()
    make_article(title_en="Newcomer", slug="pool-sizing")
    response = client.get("/en/posts/pool-sizing/")
    assert response.status_code == 200
    assert "Newcomer" in response.content.decode()
