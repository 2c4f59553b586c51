"""The admin under the site's own name, and Russian that agrees with each model's gender.

Django's admin builds "Add %s", "Change %s" and its confirmations from a model's verbose name
in the nominative case; Russian needs the accusative there («Добавить статью», not «Добавить
статья»). Each model's accusative is a translation with the context "accusative"; the
messages after a save are reworded in locale/ru so that no verb has to agree with the name.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, pgettext_lazy

from articles.models import ONE_LANGUAGE
from sitewide.models import SiteSettings
from sitewide.validators import refuse_control_characters

# The accusative of every model the admin shows (msgid: its English verbose name).
ACCUSATIVES = [
    pgettext_lazy("accusative", "article"),
    pgettext_lazy("accusative", "author"),
    pgettext_lazy("accusative", "tag"),
    pgettext_lazy("accusative", "slug redirect"),
    pgettext_lazy("accusative", "site settings"),
    pgettext_lazy("accusative", "series"),
    pgettext_lazy("accusative", "part"),
    pgettext_lazy("accusative", "subscriber"),
    pgettext_lazy("accusative", "issue"),
    pgettext_lazy("accusative", "delivery"),
    pgettext_lazy("accusative", "imported Hugo post"),
    pgettext_lazy("accusative", "old Hugo address"),
    pgettext_lazy("accusative", "user"),
    pgettext_lazy("accusative", "group"),
]

# Django's own admin strings that locale/ru rewords without gender agreement; listed here so
# that `make messages` keeps them in the site's catalogue.
REWORDED = [
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would result in deleting related "
        "objects, but your account doesn't have permission to delete the following types of "
        "objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would require deleting the "
        "following protected related objects:"
    ),
    gettext_noop("Add another %(verbose_name)s"),
]


def accusative(opts):
    with translation.override(None):
        msgid = str(opts.verbose_name)
    translated = translation.pgettext("accusative", msgid)
    return str(opts.verbose_name) if translated == msgid else translated


class OwnErrorsFirst:
    """A field the form refused keeps its own error, without the model's "at least one
    language" beside it. The model checks an instance without the refused field: a title
    refused for a control character came back with "give the article a title in at least one
    language" too, on every language's tab, and the admin opened the tab of a language never
    written. The model's other errors stay."""

    def _post_clean(self):
        refused = {translated_from(self._meta.model, name) for name in self._errors}
        super()._post_clean()
        for name, errors in list(self._errors.items()):
            if translated_from(self._meta.model, name) not in refused - {None}:
                continue
            kept = [e for e in errors.as_data() if e.code != ONE_LANGUAGE]
            if not kept:
                del self._errors[name]
            elif len(kept) != len(errors):
                self._errors[name] = self.error_class(kept, renderer=self.renderer)


def translated_from(model, name):
    """The field `name` is a language's column of (title for title_ru), or None."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    translated = getattr(field, "translated_field", None)
    return translated.name if translated else None


class SiteAdmin:
    """What every admin page of the site does: the model's name declined in titles, the add
    button and the delete confirmation; text fields that refuse control characters."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(formfield, forms.CharField) and not isinstance(formfield, forms.URLField):
            refuse_control_characters(formfield)
        return formfield

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (OwnErrorsFirst, form), {"__module__": form.__module__})

    def changelist_view(self, request, extra_context=None):
        name = accusative(self.opts)
        wording = (
            "Select %s to change" if self.has_change_permission(request) else "Select %s to view"
        )
        context = {"title": gettext(wording) % name, "add_label": gettext("Add %s") % name}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def add_view(self, request, form_url="", extra_context=None):
        context = {"title": gettext("Add %s") % accusative(self.opts)}
        return super().add_view(request, form_url, {**context, **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        shown = self.get_object(request, unquote(object_id))
        wording = "Change %s" if self.has_change_permission(request, shown) else "View %s"
        context = {"title": gettext(wording) % accusative(self.opts)}
        return super().change_view(
            request, object_id, form_url, {**context, **(extra_context or {})}
        )

    def delete_view(self, request, object_id, extra_context=None):
        context = {"object_name": accusative(self.opts)}
        return super().delete_view(request, object_id, {**context, **(extra_context or {})})


class BlogAdminSite(admin.AdminSite):
    def each_context(self, request):
        context = super().each_context(request)
        name = SiteSettings.load().name
        context.update(site_header=name, site_title=name)
        return context

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        declined = type(admin_class.__name__, (SiteAdmin, admin_class), {})
        declined.__module__ = admin_class.__module__
        super().register(model_or_iterable, declined, **options)
