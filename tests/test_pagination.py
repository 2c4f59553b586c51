import re
from datetime import timedelta

from django.utils import timezone


def titles(client, url):
    return re.findall(r"Numbered (\d+)<", client.get(url).content.decode())


def test_every_page_lists_its_own_articles_newest_first(client, make_article, author):
    now = timezone.now()
    for number in range(25):
        make_article(
            title_en=f"Numbered {number}", author=author, published_at=now - timedelta(hours=number)
        )
    pages = [titles(client, f"/en/?page={page}") for page in (1, 2, 3)]
    assert pages == [
        [str(n) for n in range(10)],
        [str(n) for n in range(10, 20)],
        [str(n) for n in range(20, 25)],
    ]
    assert client.get("/en/?page=4").status_code == 404
