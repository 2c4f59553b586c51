"""Repeated failed logins to the admin are paused per user name and per client; editors unlock."""

import importlib
import logging

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.test import Client
from group_setup import create_editorial_groups

LOGIN = "/admin/login/?next=/admin/"
unlock_migration = importlib.import_module("blogsite.migrations.0001_i13_editors_unlock_logins")


@pytest.fixture(autouse=True)
def _quick_hashing(settings):
    # Every attempt hashes a password; the real hasher would make each cost a second here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(db):
    password = make_password("right-password-123")
    return User.objects.create(username="sam", password=password, is_staff=True)


def attempt(client, username, password, address="203.0.113.7", **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def fail(client, times, username="sam", address="203.0.113.7"):
    for _ in range(times):
        assert attempt(client, username, "wrong", address).status_code in {200, 429}


def test_failures_up_to_the_limit_only_get_the_usual_form_error(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "sam", "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    assert attempt(client, "sam", "right-password-123").status_code == 302


def test_a_user_name_is_locked_out_from_every_address(client, staff, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        fail(client, 1, address=f"198.51.100.{number + 1}")
    response = attempt(client, "sam", "right-password-123", address="192.0.2.99")
    assert response.status_code == 429
    assert "logins for this user name and from this address are paused" in (
        response.content.decode()
    )


def test_a_client_is_locked_out_whatever_user_name_it_tries(client, staff, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        fail(client, 1, username=f"guess{number}")
    assert attempt(client, "sam", "right-password-123").status_code == 429
    # Someone else, elsewhere, still gets in.
    assert attempt(Client(), "sam", "right-password-123", address="192.0.2.50").status_code == 302


def test_the_lockout_message_is_in_russian_on_a_russian_admin(client, staff, settings):
    fail(client, settings.AXES_FAILURE_LIMIT)
    response = attempt(client, "sam", "wrong", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 429
    assert "приостановлен" in response.content.decode()


def test_a_lockout_is_logged(client, staff, settings, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        fail(client, settings.AXES_FAILURE_LIMIT)
    messages = [record.getMessage() for record in caplog.records]
    assert any("Locking out" in m and "203.0.113.7" in m for m in messages)
    assert not any("sam" in m for m in messages)


def test_the_pause_ends_after_the_cool_off(client, staff, settings):
    fail(client, settings.AXES_FAILURE_LIMIT)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time
                                 - settings.AXES_COOLOFF_TIME * 2)  # fmt: skip
    assert attempt(client, "sam", "right-password-123").status_code == 302


def test_an_editor_unlocks_through_the_admin(client, staff, settings):
    unlock_migration.let_editors_unlock(apps, None)
    editor = User.objects.create(username="erin", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    fail(client, settings.AXES_FAILURE_LIMIT)
    assert attempt(client, "sam", "right-password-123").status_code == 429

    editor_client = Client()
    editor_client.force_login(editor)
    listing = editor_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "sam" in listing.content.decode()
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = editor_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()
    assert attempt(client, "sam", "right-password-123").status_code == 302


def test_authors_cannot_unlock(client, db):
    unlock_migration.let_editors_unlock(apps, None)
    writer = User.objects.create(username="ada", is_staff=True)
    # A parallel worker's flush may have removed the migrated groups: made again as migrated.
    create_editorial_groups()
    writer.groups.add(Group.objects.get(name="Authors"))
    client.force_login(writer)
    assert client.get("/admin/axes/accessattempt/").status_code == 403


def test_a_locked_out_user_still_gets_in_from_an_address_they_used_before(client, staff, settings):
    from axes.models import AccessLog

    AccessLog.objects.create(username="sam", ip_address="192.0.2.10", user_agent="firefox")
    for number in range(settings.AXES_FAILURE_LIMIT + 2):  # someone else, anywhere
        fail(client, 1, address=f"198.51.100.{number + 1}")
    assert attempt(Client(), "sam", "right-password-123", address="192.0.2.99").status_code == 429
    assert attempt(Client(), "sam", "wrong", address="192.0.2.10").status_code == 429
    assert attempt(Client(), "sam", "right-password-123", address="192.0.2.10").status_code == 302
