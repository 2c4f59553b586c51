"""An author keeps working on their live article; readers see the edit once an editor publishes."""

import pytest
from django.test import Client

from articles.models import Article

CHANGELIST = "/admin/articles/article/"


def form(article, **changes):
    return {
        "title_en": article.title_en,
        "title_ru": article.title_ru or "",
        "summary_en": article.summary_en or "",
        "summary_ru": article.summary_ru or "",
        "body_en": article.body_en or "",
        "body_ru": article.body_ru or "",
        "cover_alt_en": "",
        "cover_alt_ru": "",
        **changes,
    }


@pytest.fixture
def editor_client(editor):
    # Its own browser: the shared `client` is the author's in these tests.
    browser = Client()
    browser.force_login(editor)
    return browser


@pytest.fixture
def reader():
    return Client()


@pytest.fixture
def live(make_article, author):
    return make_article(
        title_en="Pool sizing",
        slug="pool-sizing",
        author=author,
        body_en="## Why\n\n- Fruit\n  - Apple\n\nThe live text.",
    )


@pytest.fixture
def proposed(writer_client, live):
    url = f"{CHANGELIST}{live.pk}/change/"
    response = writer_client.post(
        url,
        form(
            live,
            title_en="Pool sizing, revised",
            body_en="The corrected text.",
            title_ru="Размер пула",
            body_ru="Русская версия.",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    live.refresh_from_db()
    return live


def test_the_author_can_edit_their_live_article(writer_client, live):
    page = writer_client.get(f"{CHANGELIST}{live.pk}/change/").content.decode()
    assert 'name="_save"' in page
    assert 'name="body_ru"' in page  # the Russian edition can be added
    assert "waits for an editor" in page


def test_the_live_page_is_unchanged_until_an_editor_publishes(reader, proposed):
    assert proposed.title_en == "Pool sizing"
    page = reader.get("/en/posts/pool-sizing/").content.decode()
    assert "The live text." in page
    assert "corrected" not in page
    assert reader.get("/ru/posts/pool-sizing/").content.decode().count("Русская версия") == 0


def test_the_author_goes_on_from_their_waiting_edit(writer_client, proposed):
    page = writer_client.get(f"{CHANGELIST}{proposed.pk}/change/").content.decode()
    assert "The corrected text." in page
    writer_client.post(
        f"{CHANGELIST}{proposed.pk}/change/",
        form(proposed.show_pending_changes(), summary_en="A second thought."),
    )
    proposed.refresh_from_db()
    assert proposed.pending_changes["summary_en"] == "A second thought."
    assert proposed.pending_changes["body_en"] == "The corrected text."


def test_the_author_cannot_change_the_slug_or_unpublish(writer_client, proposed):
    writer_client.post(
        f"{CHANGELIST}{proposed.pk}/change/",
        form(proposed, slug="taken-over", status="draft"),
    )
    proposed.refresh_from_db()
    assert (proposed.slug, proposed.status) == ("pool-sizing", Article.Status.PUBLISHED)
    assert "slug" not in proposed.pending_changes


def test_the_editor_sees_the_difference_and_publishes_it(editor_client, reader, proposed):
    page = editor_client.get(f"{CHANGELIST}{proposed.pk}/change/").content.decode()
    assert "Changes waiting" in page
    assert "-The live text." in page
    assert "+The corrected text." in page
    assert "changes waiting" in editor_client.get(CHANGELIST).content.decode()

    editor_client.post(f"{CHANGELIST}{proposed.pk}/change/", {"_publish_changes": "1"})

    proposed.refresh_from_db()
    assert proposed.title_en == "Pool sizing, revised"
    assert proposed.pending_changes is None
    assert "The corrected text." in reader.get("/en/posts/pool-sizing/").content.decode()
    assert "Русская версия." in reader.get("/ru/posts/pool-sizing/").content.decode()


def test_the_editor_can_discard_the_changes(editor_client, reader, proposed):
    editor_client.post(f"{CHANGELIST}{proposed.pk}/change/", {"_discard_changes": "1"})
    proposed.refresh_from_db()
    assert proposed.pending_changes is None
    assert proposed.title_en == "Pool sizing"
    assert "The live text." in reader.get("/en/posts/pool-sizing/").content.decode()


def test_an_author_cannot_publish_their_own_waiting_changes(writer_client, proposed):
    response = writer_client.post(f"{CHANGELIST}{proposed.pk}/change/", {"_publish_changes": "1"})
    assert response.status_code == 403
    proposed.refresh_from_db()
    assert proposed.title_en == "Pool sizing"
