"""The admin says the site's name and speaks Russian that agrees with each model's gender."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.models import Article

ADD_TITLES = [
    ("articles", "article", "Добавить статью"),
    ("articles", "author", "Добавить автора"),
    ("articles", "tag", "Добавить тег"),
    ("series", "series", "Добавить серию"),
    ("newsletter", "subscriber", "Добавить подписчика"),
    ("newsletter", "issue", "Добавить выпуск"),
    ("auth", "group", "Добавить группу"),
    ("auth", "user", "Добавить пользователя"),
]


@pytest.fixture
def russian_admin(admin_client):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return admin_client


@pytest.mark.parametrize(("app", "model", "title"), ADD_TITLES, ids=[m for _, m, _ in ADD_TITLES])
def test_the_add_page_declines_the_models_name(russian_admin, app, model, title):
    page = russian_admin.get(reverse(f"admin:{app}_{model}_add")).content.decode()
    assert f"<h1>{title}</h1>" in page


@pytest.mark.parametrize(("app", "model", "title"), ADD_TITLES, ids=[m for _, m, _ in ADD_TITLES])
def test_the_list_offers_to_add_in_the_accusative(russian_admin, app, model, title):
    page = russian_admin.get(reverse(f"admin:{app}_{model}_changelist")).content.decode()
    assert title in page
    assert title.replace("Добавить", "Выберите") in page  # «Выберите статью для изменения»


def test_the_change_page_and_the_delete_confirmation_decline_too(russian_admin, live_article):
    change = russian_admin.get(reverse("admin:articles_article_change", args=[live_article.pk]))
    assert "<h1>Изменить статью</h1>" in change.content.decode()
    delete = russian_admin.get(reverse("admin:articles_article_delete", args=[live_article.pk]))
    assert "удалить статью" in delete.content.decode()
    assert "удалить статья" not in delete.content.decode()


def test_the_message_after_a_save_needs_no_gender(russian_admin):
    response = russian_admin.post(
        reverse("admin:auth_group_add"), {"name": "Reviewers"}, follow=True
    )
    assert Group.objects.filter(name="Reviewers").exists()
    page = response.content.decode()
    assert "Добавлено: группа «" in page
    assert "был успешно" not in page


def test_the_admin_header_is_the_sites_name(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Engineering insights" in page
    assert "Django administration" not in page


def test_saving_the_site_settings_says_so_once(admin_client):
    url = reverse("admin:sitewide_sitesettings_change", args=[1])
    admin_client.get(reverse("admin:sitewide_sitesettings_changelist"))  # makes the one row
    form = {
        "name_en": "Engineering insights",
        "name_ru": "Инженерные инсайты",
        "tagline_en": "Notes",
        "tagline_ru": "Заметки",
        "newsletter_heading_en": "Stay ahead",
        "newsletter_pitch_en": "Weekly.",
    }
    response = admin_client.post(url, form, follow=True)
    page = response.content.decode()
    assert "The site settings are saved." in page
    assert "was changed successfully" not in page


def test_an_english_admin_keeps_djangos_wording(admin_client):
    page = admin_client.get(reverse("admin:articles_article_add")).content.decode()
    assert "<h1>Add article</h1>" in page
    assert Article.objects.count() == 0
