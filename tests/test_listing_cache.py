from datetime import timedelta

from django.utils import timezone

from articles.caching import listing_cache_state
from articles.models import Article


def test_hub_cards_are_reused_until_an_article_is_saved(client, live_article):
    assert "Pool sizing" in client.get("/en/").content.decode()
    # A bare UPDATE bypasses save(): the cached cards are still served...
    Article.objects.filter(pk=live_article.pk).update(title_en="Renamed quietly")
    assert "Pool sizing" in client.get("/en/").content.decode()
    # ...while a real save changes the version and the hub shows the new title at once.
    live_article.title_en = "Pool sizing, revised"
    live_article.save()
    assert "Pool sizing, revised" in client.get("/en/").content.decode()


def test_deleting_an_article_refreshes_the_cards(client, live_article, make_article):
    other = make_article(title_en="Short-lived")
    assert "Short-lived" in client.get("/en/").content.decode()
    other.delete()
    assert "Short-lived" not in client.get("/en/").content.decode()


def test_each_language_and_page_has_its_own_cards(client, make_article):
    make_article(title_en="Pools", title_ru="Пулы", body_ru="Текст")
    assert "Pools" in client.get("/en/").content.decode()
    assert "Пулы" in client.get("/ru/").content.decode()


def test_cached_cards_never_outlive_the_next_scheduled_publication(db, make_article, settings):
    settings.LISTING_CACHE_SECONDS = 300
    assert listing_cache_state()["timeout"] == 300
    make_article(published_at=timezone.now() + timedelta(seconds=90))
    assert 1 <= listing_cache_state()["timeout"] <= 90
