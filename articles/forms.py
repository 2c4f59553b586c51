from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LanguagesField(forms.MultipleChoiceField):
    """Site languages as checkboxes, for a list of language codes."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=settings.LANGUAGES, **kwargs)

    def clean(self, value):
        chosen = set(super().clean(value))
        # Settings' order, so an unchanged choice compares equal to what is stored.
        return [code for code, _name in settings.LANGUAGES if code in chosen]

    def has_changed(self, initial, data):
        return set(initial or ()) != set(data or ())


def next_full_hour_tomorrow():
    moment = timezone.localtime() + timedelta(days=1)
    return moment.replace(minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")


class ScheduleForm(forms.Form):
    """When selected articles go live; typed in the site's time zone."""

    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        initial=next_full_hour_tomorrow,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publish_at"].help_text = _("Time zone: %(zone)s.") % {
            "zone": timezone.get_current_timezone_name()
        }

    def clean_publish_at(self):
        moment = self.cleaned_data["publish_at"]
        if moment <= timezone.now():
            raise forms.ValidationError(
                _("Choose a time in the future; to publish straight away use “Publish now”.")
            )
        return moment
