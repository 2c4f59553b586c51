"""An article written in one language goes to that edition's followers only; one kept off an
edition it is written in is not sent there either."""

from datetime import timedelta

import pytest
from django.utils import timezone

from federation import publishing
from tests.federation.test_federation_publishing import Queue, deliver_all, follow


@pytest.fixture
def queue():
    return Queue()


@pytest.mark.parametrize(
    ("written", "kept_off", "sent_by"),
    [
        ({"ru"}, [], {"ru"}),
        ({"en"}, [], {"en"}),
        ({"en", "ru"}, [], {"en", "ru"}),
        ({"en", "ru"}, ["en"], {"ru"}),
        ({"ru"}, ["ru"], set()),
    ],
)
def test_each_edition_sends_only_the_articles_it_carries_in_its_language(
    actors, remote_server, make_article, queue, written, kept_off, sent_by
):
    servers = {}
    for language, actor in actors.items():
        servers[language] = remote_server()
        follow(actor, servers[language], f"reader-{language}")
    texts = {
        "en": {"title_en": "Harbour lights", "body_en": "Lanterns."},
        "ru": {"title_ru": "Огни гавани", "body_ru": "Фонари."},
    }
    fields = {"title_en": "", "summary_en": "", "body_en": ""}
    for language in written:
        fields.update(texts[language])
    article = make_article(
        slug="harbour",
        hidden_languages=kept_off,
        published_at=timezone.now() - timedelta(minutes=1),
        **fields,
    )

    publishing.federate(article.pk, queue)
    deliver_all(queue)

    for language, server in servers.items():
        created = server.activities("Create")
        assert bool(created) == (language in sent_by), language
        if created:
            note = created[0]["object"]
            assert note["contentMap"] == {language: note["content"]}
            assert note["url"] == f"http://testserver/{language}/posts/harbour/"
