"""A site that ran before SiteSettings moved to `sitewide` keeps its row, its permissions and
the Editors' right to change it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("sitewide", None), ("articles", "0008_merge_i13_i14_i15")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_existing_settings_row_and_editor_right_survive_the_move():
    old = migrate(BEFORE)
    old_settings = old.get_model("articles", "SiteSettings")
    old_settings.objects.update_or_create(pk=1, defaults={"name_en": "Pool notes"})
    change = old.get_model("auth", "Permission").objects.get(
        content_type__app_label="articles", codename="change_sitesettings"
    )
    editors, _ = old.get_model("auth", "Group").objects.get_or_create(name="Editors")
    editors.permissions.add(change)

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert new.get_model("sitewide", "SiteSettings").objects.get(pk=1).name_en == "Pool notes"
    moved = new.get_model("auth", "Permission").objects.get(pk=change.pk)
    assert moved.content_type.app_label == "sitewide"
    assert (
        new.get_model("auth", "Group")
        .objects.filter(
            name="Editors",
            permissions__codename="change_sitesettings",
            permissions__content_type__app_label="sitewide",
        )
        .exists()
    )
    assert "articles_sitesettings" not in connection.introspection.table_names()
