import pytest
from django.contrib.auth.models import Group, User
from group_setup import create_editorial_groups


@pytest.fixture
def editorial_groups(db):
    create_editorial_groups()
    return {group.name: group for group in Group.objects.filter(name__in=["Authors", "Editors"])}


@pytest.fixture
def make_user(editorial_groups):
    def make(username, group, author=None):
        user = User.objects.create_user(username, f"{username}@example.org", "pw-12345!")
        user.is_staff = True
        user.save()
        user.groups.add(editorial_groups[group])
        if author is not None:
            author.user = user
            author.save()
        return user

    return make


@pytest.fixture
def writer(make_user, author):
    """A member of «Authors», writing as the `author` fixture (Ada Writer)."""
    return make_user("ada", "Authors", author=author)


@pytest.fixture
def editor(make_user, make_author):
    return make_user("erin", "Editors", author=make_author(name="Erin Editor"))


@pytest.fixture
def writer_client(client, writer):
    client.force_login(writer)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
