"""Inviting an author or an editor: account, profile and group in one step, a set-password link."""

import re
import smtplib

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import CommandError, call_command

from articles.models import Article, Author

INVITE = "/admin/articles/author/invite/"
PASSWORD = "a-new-Pass-4711"


@pytest.fixture
def admin_client(client, editorial_groups):
    admin = User.objects.create_superuser("root", "root@example.org", "pw-12345!")
    client.force_login(admin)
    return client


def link_in(message):
    [link] = re.findall(r"https?://\S+", message.body)
    return link.removeprefix("http://testserver")


def set_password(client, link):
    # Django swaps the token for a session marker, then shows the form at the new address.
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"])


def test_admin_invites_an_author_who_sets_a_password_and_writes(admin_client, client, settings):
    page = admin_client.get("/admin/articles/author/").content.decode()
    assert f'href="{INVITE}?role=author"' in page
    assert f'href="{INVITE}?role=editor"' in page
    form = admin_client.get(f"{INVITE}?role=author").content.decode()
    assert re.search(r'value="author"[^>]*checked', form)

    response = admin_client.post(
        INVITE, {"name": "Grace Writer", "email": "Grace@Example.org", "role": "author"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="grace@example.org")
    assert user.is_staff
    assert not user.is_superuser
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["Authors"]
    assert (user.author.name, user.author.slug) == ("Grace Writer", "grace-writer")

    [message] = mail.outbox
    assert message.to == ["grace@example.org"]
    assert "invited to write for Engineering insights" in message.subject
    assert "Hello Grace Writer," in message.body
    assert "Your username is grace@example.org." in message.body
    assert "The link works once, for 7 days." in message.body

    admin_client.logout()
    done = set_password(client, link_in(message))
    assert "/admin/login/" in done.content.decode()
    # Through the login form, as a person does (and as django-axes counts it).
    login = client.post(
        "/admin/login/?next=/admin/", {"username": "grace@example.org", "password": PASSWORD}
    )
    assert login.status_code == 302
    changelist = client.get("/admin/articles/article/").content.decode()
    assert "/admin/articles/article/add/" in changelist
    response = client.post(
        "/admin/articles/article/add/",
        {"title_en": "First piece", "slug": "first-piece", "body_en": "Hello.", "status": "draft"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Article.objects.get(slug="first-piece").author == user.author
    # The link works once.
    client.logout()
    assert "invalid" in client.get(link_in(message), follow=True).content.decode().lower()


def test_invited_editor_joins_editors(admin_client):
    admin_client.post(INVITE, {"name": "Erin Boss", "email": "erin@example.org", "role": "editor"})
    user = User.objects.get(email="erin@example.org")
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert user.has_perm("articles.publish_article")
    assert user.author.name == "Erin Boss"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Twice", "email": "ROOT@example.org", "role": "author"}, "already has an"),
        ({"name": "No mail", "email": "not-an-address", "role": "author"}, "valid email"),
        ({"name": "   ", "email": "blank@example.org", "role": "author"}, "This field is required"),
        ({"name": "Boss", "email": "boss@example.org", "role": "owner"}, "Select a valid choice"),
        *(
            ({"name": f"A{c}B", "email": "ab@example.org", "role": "author"}, "control character")
            for c in ["\x00", "\x07", "\x1b", "\x0b", "\ufffe"]
        ),
    ],
    ids=["taken address", "bad address", "blank name", "unknown role", "NUL", "bell", "escape",
         "vertical tab", "non-character"],
)  # fmt: skip
def test_bad_invitations_are_refused_with_a_message(admin_client, data, message):
    users = User.objects.count()
    response = admin_client.post(INVITE, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Null characters are not allowed" not in response.content.decode()  # said once
    assert User.objects.count() == users
    assert mail.outbox == []


def test_same_name_twice_gets_its_own_slug(admin_client, make_author):
    make_author(name="Ann", slug="ann")
    admin_client.post(INVITE, {"name": "Ann", "email": "ann@example.org", "role": "author"})
    assert Author.objects.get(user__email="ann@example.org").slug == "ann-2"


def test_unsent_email_leaves_no_account(admin_client, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("sitewide.invitations.send_mail", refuse)
    response = admin_client.post(
        INVITE, {"name": "Lost", "email": "lost@example.org", "role": "author"}
    )
    assert response.status_code == 200
    assert "could not be sent, so no account was made" in response.content.decode()
    assert not User.objects.filter(email="lost@example.org").exists()
    assert not Author.objects.filter(name="Lost").exists()


def test_editors_and_authors_may_not_invite(editor_client, writer_client):
    for client in (editor_client, writer_client):
        assert client.get(INVITE).status_code == 403
        response = client.post(INVITE, {"name": "X", "email": "x@example.org", "role": "editor"})
        assert response.status_code == 403
    assert not User.objects.filter(email="x@example.org").exists()


def test_command_invites_in_one_step(editorial_groups, capsys):
    call_command("invite", "ivan@example.org", name="Иван Петров", role="author", language="ru")
    user = User.objects.get(email="ivan@example.org")
    assert user.author.name == "Иван Петров"
    assert user.author.slug == "ivan"  # a Cyrillic name has no ASCII slug: the address gives one
    [message] = mail.outbox
    assert "Здравствуйте" in message.body
    assert "Invited ivan@example.org as author" in capsys.readouterr().out


def test_command_refuses_a_taken_address(editorial_groups, make_user):
    make_user("taken", "Authors")
    with pytest.raises(CommandError, match="already has an account"):
        call_command("invite", "taken@example.org", name="Again")


def test_staff_user_without_a_profile_is_told_what_is_missing(make_user, client):
    client.force_login(make_user("loner", "Authors"))
    page = client.get("/admin/articles/article/").content.decode()
    assert "not linked to an author profile" in page
    assert "/admin/articles/article/add/" not in page
