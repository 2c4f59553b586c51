"""The «Editors» group sends the newsletter (data migration); authors cannot touch it."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.core import mail
from django_tasks_db.models import DBTaskResult

from newsletter.models import Issue
from newsletter.tasks import send_issue

ISSUES = "/admin/newsletter/issue/"


@pytest.fixture
def groups(db):
    # From the data migrations; a transactional test's flush removes them, so run them again.
    importlib.import_module("articles.migrations.0003_editorial_groups").create_groups(apps, None)
    importlib.import_module(
        "newsletter.migrations.0003_i12_editors_send"
    ).give_editors_the_newsletter(apps, None)
    return Group.objects


def staff(username, *groups):
    user = User.objects.create_user(username, f"{username}@example.org", "pw-12345!")
    user.is_staff = True
    user.save()
    user.groups.add(*groups)
    return user


@pytest.fixture
def editor_client(client, groups):
    client.force_login(staff("erin", groups.get(name="Editors")))
    return client


@pytest.fixture
def author_client(client, groups):
    client.force_login(staff("ada", groups.get(name="Authors")))
    return client


def new_issue(live_article, **buttons):
    return {
        "subject_en": "Weekly",
        "subject_ru": "Неделя",
        "intro_en": "Hello.",
        "intro_ru": "Привет.",
        "articles": [live_article.pk],
        "scheduled_at_0": "",
        "scheduled_at_1": "",
        **buttons,
    }


def test_an_editor_composes_previews_tests_and_sends(editor_client, live_article, make_subscriber):
    reader = make_subscriber(language="ru")
    assert editor_client.get(f"{ISSUES}add/").status_code == 200
    editor_client.post(f"{ISSUES}add/", new_issue(live_article, _send_test="1"))
    issue = Issue.objects.get()
    assert sorted(message.subject for message in mail.outbox) == ["Weekly", "Неделя"]
    assert {message.to[0] for message in mail.outbox} == {"erin@example.org"}
    for language in ("en", "ru"):
        preview = editor_client.get(f"{ISSUES}{issue.pk}/preview/{language}/html/")
        assert preview.status_code == 200
    # Editions are the site's languages: a code it does not serve has no preview.
    assert editor_client.get(f"{ISSUES}{issue.pk}/preview/de/html/").status_code == 404
    form = editor_client.get(f"{ISSUES}{issue.pk}/change/").content.decode()
    assert "English · HTML" in form
    assert "Русский · HTML" in form

    editor_client.post(f"{ISSUES}{issue.pk}/change/", new_issue(live_article, _send_now="1"))
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SCHEDULED
    send_issue.call(issue.pk, issue.turn)

    assert [message.to for message in mail.outbox[2:]] == [[reader.email]]
    page = editor_client.get(f"{ISSUES}{issue.pk}/change/").content.decode()
    assert ">Sent: 1</a>" in page
    recipients = editor_client.get(f"/admin/newsletter/delivery/?issue__id__exact={issue.pk}")
    assert reader.email in recipients.content.decode()
    assert editor_client.get("/admin/newsletter/subscriber/").status_code == 200


def test_an_editor_schedules(editor_client, live_article):
    form = new_issue(live_article, _schedule="1")
    form.update(scheduled_at_0="2099-01-01", scheduled_at_1="09:00")
    editor_client.post(f"{ISSUES}add/", form)
    assert Issue.objects.get().status == Issue.Status.SCHEDULED
    assert DBTaskResult.objects.earliest("run_after").run_after.year == 2099


@pytest.mark.parametrize(
    "url",
    [ISSUES, f"{ISSUES}add/", "/admin/newsletter/subscriber/", "/admin/newsletter/delivery/"],
)
def test_an_author_cannot_open_the_newsletter(author_client, url):
    assert author_client.get(url).status_code == 403


def test_an_author_cannot_send(author_client, live_article, make_subscriber):
    make_subscriber()
    issue = Issue.objects.create(subject_en="Weekly")
    issue.articles.set([live_article])

    response = author_client.post(
        f"{ISSUES}{issue.pk}/change/", new_issue(live_article, _send_now="1")
    )

    assert response.status_code == 403
    assert author_client.get(f"{ISSUES}{issue.pk}/preview/en/html/").status_code == 403
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT
    assert not DBTaskResult.objects.exists()


def test_who_may_edit_an_issue_but_not_send_gets_no_send_buttons(client, groups, live_article):
    helper = staff("hal")
    helper.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_issue", "change_issue"])
    )
    client.force_login(helper)
    issue = Issue.objects.create(subject_en="Weekly")

    page = client.get(f"{ISSUES}{issue.pk}/change/")
    assert b'name="_send_now"' not in page.content
    response = client.post(f"{ISSUES}{issue.pk}/change/", new_issue(live_article, _send_now="1"))

    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


def test_an_editor_imports_subscribers(editor_client, groups):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from newsletter.models import Subscriber

    importlib.import_module("newsletter.migrations.0006_i27_import_subscribers").grant(apps, None)
    as_editor = editor_client
    assert (
        b"/admin/newsletter/subscriber/import/"
        in as_editor.get("/admin/newsletter/subscriber/").content
    )
    upload = SimpleUploadedFile("readers.csv", b"email\nnew@example.org\n", "text/csv")
    response = as_editor.post(
        "/admin/newsletter/subscriber/import/",
        {"file": upload, "language": "en", "consent": "confirm"},
    )
    assert response.status_code == 200
    assert Subscriber.objects.filter(email="new@example.org", status="pending").exists()


def test_an_author_cannot_import_subscribers(author_client):
    assert author_client.get("/admin/newsletter/subscriber/import/").status_code == 403


def test_a_sent_issue_is_shown_without_form_controls(editor_client, live_article):
    from django.utils import timezone

    issue = Issue.objects.create(
        subject_en="Weekly", status=Issue.Status.SENT, sent_at=timezone.now(), sent_count=3
    )
    issue.articles.set([live_article])
    page = editor_client.get(f"{ISSUES}{issue.pk}/change/").content.decode()
    assert "View issue" in page
    for control in ('name="_save"', 'name="_send_test"', 'name="_schedule"', 'name="subject_en"'):
        assert control not in page
    assert "press «Schedule»" not in page
    response = editor_client.post(f"{ISSUES}{issue.pk}/change/", new_issue(live_article))
    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
