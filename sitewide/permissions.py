"""The editorial groups' permissions, granted from the data migrations of every app.

Django makes permissions after all migrations have run; a migration that grants some makes
them first. Running a grant again only adds what is missing.
"""

from django.contrib.auth.management import create_permissions


def make_permissions(apps, app_label):
    """The permissions of `app_label`'s models as migrated so far."""
    app_config = apps.get_app_config(app_label)
    # A historical app config has no models module, and create_permissions skips those.
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = models_module


def grant(apps, group_name, app_label, codenames):
    """Give the group (made if missing) these permissions of `app_label`."""
    make_permissions(apps, app_label)
    Group = apps.get_model("auth", "Group")
    group, _created = Group.objects.get_or_create(name=group_name)
    group.permissions.add(*permissions(apps, app_label, codenames))


def revoke(apps, group_name, app_label, codenames):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=group_name):
        group.permissions.remove(*permissions(apps, app_label, codenames))


def permissions(apps, app_label, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
