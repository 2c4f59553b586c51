"""Reading a Hugo site: the config in its several shapes, pages, old addresses."""

from datetime import UTC

import pytest

from hugo_import.site import HugoSite, HugoSiteError


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


POST = "---\ntitle: A Post\ndate: 2024-02-03T04:05:06Z\n---\n\nBody.\n"


def test_a_config_folder_is_read_key_by_key(tmp_path):
    site = HugoSite.load(
        write(
            tmp_path,
            {
                "config/_default/hugo.yaml": "defaultContentLanguage: en\ntimeZone: UTC\n",
                "config/_default/languages.yaml": "en:\n  weight: 1\nru:\n  weight: 2\n",
                "config/_default/permalinks.toml": 'posts = "/:year/:month/:slug/"\n',
                "config/_default/params.toml": 'author = "Ann"\nmainSections = ["notes"]\n',
                "config/_default/menus.en.toml": "[[main]]\nname = 'x'\n",
                "content/notes/a-post.md": POST,
                "content/notes/a-post.ru.md": POST,
            },
        )
    )
    assert set(site.config.content_dirs) == {"en", "ru"}
    assert site.config.default_author == "Ann"
    assert site.config.permalinks == {"posts": "/:year/:month/:slug/"}
    assert sorted((page.rel, page.language) for page in site.pages) == [
        ("notes/a-post.md", "en"),
        ("notes/a-post.ru.md", "ru"),
    ]


def test_a_yaml_config_with_nested_permalinks_and_ugly_urls(tmp_path):
    site = HugoSite.load(
        write(
            tmp_path,
            {
                "config.yaml": (
                    "uglyURLs: true\ndefaultContentLanguageInSubdir: true\n"
                    "permalinks:\n  page:\n    posts: /blog/:year/:title/\n"
                ),
                "content/posts/2024/a-post.md": POST,
            },
        )
    )
    (page,) = site.pages
    assert page.dirs == ["posts", "2024"]
    # In its language's folder, as Hugo served it; then the spelling without it.
    assert site.old_paths(page) == ["/en/blog/2024/a-post.html", "/blog/2024/a-post.html"]


def test_default_addresses_follow_the_folders_and_the_slug(tmp_path):
    site = HugoSite.load(
        write(
            tmp_path,
            {
                "hugo.toml": 'title = "x"\n',
                "content/posts/2024/Mixed-Case.md": POST,
                "content/posts/bundle/index.md": POST.replace("title:", "slug: Renamed\ntitle:"),
                "content/posts/bundle/photo.png": "",
                "content/pages/about.md": POST,
            },
        )
    )
    paths = {page.rel: site.old_paths(page)[0] for page in site.pages}
    # Only the posts section by default; Hugo lower-cases addresses.
    assert paths == {
        "posts/2024/Mixed-Case.md": "/posts/2024/mixed-case/",
        "posts/bundle/index.md": "/posts/renamed/",
    }


def test_a_date_without_a_zone_is_read_in_the_configured_zone(tmp_path):
    site = HugoSite.load(
        write(
            tmp_path,
            {
                "hugo.toml": 'timeZone = "Europe/Moscow"\n',
                "content/posts/a.md": "+++\ntitle = 'A'\ndate = 2024-01-01T12:00:00\n+++\n",
            },
        )
    )
    (page,) = site.pages
    assert page.date("date", site.config.time_zone).astimezone(UTC).hour == 9


@pytest.mark.parametrize(
    "files",
    [
        {},
        {"hugo.toml": "title = [broken"},
        {"config.yaml": "- a list\n- not settings\n"},
        {"hugo.toml": 'timeZone = "Mars/Olympus"\n'},
    ],
)
def test_what_is_not_a_readable_hugo_site_is_refused_with_a_reason(tmp_path, files):
    with pytest.raises(HugoSiteError):
        HugoSite.load(write(tmp_path, files))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\ntitle: [unclosed\n---\nBody\n", "front matter cannot be read"),
        ("+++\ntitle = \n+++\nBody\n", "front matter cannot be read"),
        ('{\n"title": \n}\nBody\n', "front matter cannot be read"),
        ("---\n- a\n- list\n---\nBody\n", "front matter is not a table of keys"),
        ("---\ntitle: never closed\n", "front matter is not closed"),
        ("---\ndate: 2024-13-45\n---\nBody\n", "month must be in 1..12"),
        (b"---\ntitle: \xff\xfe\n---\n", "not UTF-8 text"),
    ],
)
def test_a_page_that_cannot_be_read_is_set_aside_with_its_reason(tmp_path, text, reason):
    write(tmp_path, {"hugo.toml": "", "content/posts/ok.md": POST})
    bad = tmp_path / "content/posts/bad.md"
    bad.write_bytes(text if isinstance(text, bytes) else text.encode())
    site = HugoSite.load(tmp_path)
    assert [page.rel for page in site.pages] == ["posts/ok.md"]
    ((page, why),) = site.broken
    assert page.rel == "posts/bad.md"
    assert reason in why
