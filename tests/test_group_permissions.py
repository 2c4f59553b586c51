"""sitewide.permissions: the one helper every app's group-permission migration calls."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission

from sitewide import permissions

CODENAMES = ["add_series", "view_series"]


def granted(name):
    group = Group.objects.get(name=name)
    return sorted(group.permissions.values_list("codename", flat=True))


def test_a_grant_makes_the_group_and_the_permissions_it_needs(db):
    Permission.objects.filter(content_type__app_label="series").delete()
    permissions.grant(apps, "Reviewers", "series", CODENAMES)
    assert granted("Reviewers") == CODENAMES


def test_a_second_grant_adds_only_what_is_missing(db):
    permissions.grant(apps, "Reviewers", "series", CODENAMES[:1])
    permissions.grant(apps, "Reviewers", "series", CODENAMES)
    assert granted("Reviewers") == CODENAMES
    assert Permission.objects.filter(codename="add_series").count() == 1


def test_a_grant_reaches_only_the_named_app(db):
    # «view_series» exists in series only; the same codename elsewhere must not come along.
    permissions.grant(apps, "Reviewers", "articles", ["view_series", "view_tag"])
    assert granted("Reviewers") == ["view_tag"]


def test_revoke_takes_back_those_permissions_and_keeps_the_rest(db):
    permissions.grant(apps, "Reviewers", "series", [*CODENAMES, "change_series"])
    permissions.revoke(apps, "Reviewers", "series", CODENAMES)
    assert granted("Reviewers") == ["change_series"]
