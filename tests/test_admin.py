import re

import pytest
from django.contrib.auth import get_user_model

from articles.models import Article


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw-12345!")
    client.force_login(user)
    return client


def test_article_form_uses_the_writing_desk_per_language(staff_client):
    page = staff_client.get("/admin/articles/article/add/").content.decode()
    assert 'name="body_en"' in page
    assert 'name="body_ru"' in page
    assert page.count('class="writing-desk"') == 2
    assert 'lang="ru"' in page
    # Our own script and the site's stylesheet for the preview; nothing from another host.
    assert "/static/articles/admin/editor.js" in page
    assert 'data-stylesheet="/static/css/site.css"' in page
    assert "markdownx.js" not in page
    assert not re.search(r'<script[^>]+src="(https?:)?//', page)
    assert 'name="title_ru"' in page


def test_admin_preview_is_the_page_renderer(staff_client):
    response = staff_client.post(
        "/markdownx/markdownify/", {"content": "## Hi\n\n<script>x</script>"}
    )
    assert response.status_code == 200
    preview = response.content.decode()
    assert preview.endswith('<h2 id="hi">Hi</h2>\n')
    assert "<script" not in preview
    assert "Line 3" in preview  # the author is told where the removed element was


def test_preview_and_upload_endpoints_are_for_staff_only(client, db):
    assert client.post("/markdownx/markdownify/", {"content": "x"}).status_code == 302
    assert client.post("/markdownx/upload/").status_code == 302


def test_author_saves_an_article_through_the_admin(staff_client, author):
    response = staff_client.post(
        "/admin/articles/article/add/",
        {
            "title_en": "From the admin",
            "title_ru": "Из админки",
            "slug": "from-the-admin",
            "summary_en": "Short.",
            "body_en": "## One\n\nText\n\n## Two\n\nMore",
            "body_ru": "## Раз\n\nТекст",
            "author": author.pk,
            "status": "draft",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="from-the-admin")
    assert '<h2 id="one">One</h2>' in article.body_html_en
    assert "Текст" in article.body_html_ru
    assert 'href="#two"' in article.toc_html_en


def test_cover_image_without_description_is_refused(staff_client, author, tmp_path):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (10, 10), "red").save(buffer, format="PNG")
    response = staff_client.post(
        "/admin/articles/article/add/",
        {
            "title_en": "With cover",
            "slug": "with-cover",
            "author": author.pk,
            "status": "draft",
            "cover_image": SimpleUploadedFile("c.png", buffer.getvalue(), "image/png"),
        },
    )
    assert response.status_code == 200
    assert "Describe the cover image for screen readers." in response.content.decode()
    assert not Article.objects.filter(slug="with-cover").exists()


def test_body_image_without_alt_text_is_refused(staff_client, author):
    response = staff_client.post(
        "/admin/articles/article/add/",
        {
            "title_en": "No alt",
            "slug": "no-alt",
            "author": author.pk,
            "status": "draft",
            "body_en": "Look: ![](/media/uploads/chart.png)",
        },
    )
    assert response.status_code == 200
    assert "Every image needs a description for screen readers" in response.content.decode()
    assert not Article.objects.filter(slug="no-alt").exists()


def test_admin_pages_load_nothing_from_another_host(staff_client):
    page = staff_client.get("/admin/articles/article/add/").content.decode()
    assert "/static/vendor/jquery-ui/jquery-ui.min.js" in page
    assert "googleapis" not in page
    assert 'src="//' not in page
    assert 'src="http' not in page
