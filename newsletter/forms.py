from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "placeholder": _("you@example.com")}
        ),
    )
    # The honeypot: hidden from people, filled in by bots that fill in everything.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    page = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)

    def is_bot(self):
        return bool(self.cleaned_data.get("website"))

    def clean_page(self):
        page = self.cleaned_data["page"]
        # Only a path on this site is worth keeping in the consent record.
        return page if page.startswith("/") and not page.startswith("//") else ""


class SubscriberImportForm(forms.Form):
    KEEP = "keep"
    CONFIRM = "confirm"

    file = forms.FileField(
        label=_("Export file (CSV)"),
        help_text=_(
            "The subscriber export of Ghost, Mailchimp, Substack or Buttondown, or any CSV "
            "with an “email” column."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of the newsletter they get"), choices=settings.LANGUAGES
    )
    consent = forms.ChoiceField(
        label=_("Consent"),
        widget=forms.RadioSelect,
        initial=KEEP,
        choices=[
            (
                KEEP,
                _(
                    "Readers whose export shows when they subscribed are imported as confirmed, "
                    "with that record kept; everyone else is asked to confirm by email."
                ),
            ),
            (CONFIRM, _("Ask every imported reader to confirm by email (double opt-in).")),
        ],
    )
