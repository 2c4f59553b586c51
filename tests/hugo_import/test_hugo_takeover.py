"""An imported alias never takes over an address the site routes, now or later."""

import pytest

from articles.models import Redirect, Tag
from series.models import Series

pytestmark = pytest.mark.django_db

ALIASES = [
    "/en/posts/scheduled/",  # a scheduled article's future address
    "/ru/posts/scheduled/",
    "/en/posts/draft/",
    "/en/tags/empty/",  # a tag with no article yet
    "/en/tags/empty/feed/",
    "/en/series/guide/",
    "/en/authors/ada-writer/",
    "/healthz/",
    "/healthz",
    "/admin/",
    "/admin/login/",
    "/api/v1/articles/",
    "/.well-known/webfinger",
    "/en/",
    "/ru/feed/",
    "/en/archive/2020/",
    "/sitemap.xml",
    "/static/site.css",
    "/media/uploads/x.png",
]


def hugo_site(root, aliases):
    root.mkdir(parents=True, exist_ok=True)
    (root / "hugo.toml").write_text('[params]\nauthor = "Ann"\n')
    posts = root / "content/posts"
    posts.mkdir(parents=True)
    listed = "".join(f"  - {alias}\n" for alias in aliases)
    (posts / "grabby.md").write_text(
        f"---\ntitle: Grabby\ndate: 2024-01-01\naliases:\n{listed}  - /old/grabby/\n---\n\nHi.\n"
    )
    return root


def test_aliases_on_the_sites_own_addresses_are_refused_and_reported(
    tmp_path, run_import, client, scheduled_article, draft_article, make_tag, make_series
):
    make_tag(slug="empty", name_en="Empty")
    make_series(parts=1)
    report = run_import(hugo_site(tmp_path / "site", ALIASES))
    refused = {
        warning.message.split(" ")[0] for warning in report.warnings_of("address of the site")
    }
    # Hugo served an alias without a file extension as a folder.
    assert refused == {
        alias if alias.endswith("/") or "." in alias.rsplit("/", 1)[-1] else alias + "/"
        for alias in ALIASES
    }
    assert set(Redirect.objects.values_list("path", flat=True)) >= {"/old/grabby/"}
    assert not Redirect.objects.filter(path__in=ALIASES).exists()
    for alias in ALIASES:
        assert client.get(alias).get("Location") != "/en/posts/grabby/", alias
    assert client.get("/old/grabby/")["Location"] == "/en/posts/grabby/"


@pytest.mark.parametrize(
    ("alias", "arrives"),
    [
        ("/en/tags/later/", lambda: Tag.objects.create(slug="later", name_en="Later")),
        ("/en/series/later/", lambda: Series.objects.create(slug="later", title_en="Later")),
    ],
)
def test_an_alias_gives_way_to_what_the_site_creates_afterwards(
    tmp_path, run_import, client, alias, arrives
):
    run_import(hugo_site(tmp_path / "site", [alias]))
    assert client.get(alias)["Location"] == "/en/posts/grabby/"
    arrives()
    # The tag or series exists now (with nothing in it yet): its address is the site's.
    assert client.get(alias).status_code in {200, 404}


def test_a_scheduled_articles_address_is_not_taken_by_an_older_import(
    tmp_path, run_import, client, make_article
):
    from datetime import timedelta

    from django.utils import timezone

    run_import(hugo_site(tmp_path / "site", ["/en/posts/next-week/"]))
    make_article(slug="next-week", published_at=timezone.now() + timedelta(days=7))
    assert client.get("/en/posts/next-week/").status_code == 404
