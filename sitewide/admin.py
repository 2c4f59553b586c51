from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from sitewide.models import SiteSettings


@admin.register(SiteSettings)
class SiteSettingsAdmin(TabbedTranslationAdmin):
    fields = ["name", "tagline", "newsletter_heading", "newsletter_pitch"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # One row only: go straight to editing it.
        settings_row = SiteSettings.load()
        return redirect("admin:sitewide_sitesettings_change", settings_row.pk)

    def response_change(self, request, obj):
        # Django's "The site settings “Site settings” was changed" names the one row twice.
        self.message_user(request, _("The site settings are saved."), messages.SUCCESS)
        return redirect(request.path)
