"""Inviting people: one step makes the account, its profile and its group, and emails a link to
set the password. Used by the admin's invitation page and `manage.py invite`.

The profile (an Author) belongs to the app above: it answers `account_invited`, sent inside the
invitation's transaction, so a failing receiver leaves no account behind."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from sitewide.models import SiteSettings
from sitewide.validators import refuse_control_characters

# The role chosen → the group made by the data migrations.
ROLES = {"author": "Authors", "editor": "Editors"}
ROLE_CHOICES = [("author", _("Author")), ("editor", _("Editor"))]

# Sent with `user` and `name` once the account exists; receivers make the person's profile.
account_invited = Signal()


class InvitationForm(forms.Form):
    # On every page and feed that names the author, and in the invitation's email.
    name = refuse_control_characters(
        forms.CharField(
            label=_("Name"), max_length=120, help_text=_("As readers will see it under articles.")
        )
    )
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, widget=forms.RadioSelect)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the person's name."))
        return name

    def clean_email(self):
        users = get_user_model().objects
        email = users.normalize_email(self.cleaned_data["email"]).lower()
        if users.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
            raise forms.ValidationError(
                _("Someone with this email address already has an account.")
            )
        return email

    def clean_role(self):
        role = self.cleaned_data["role"]
        if not Group.objects.filter(name=ROLES[role]).exists():
            # The groups come from migrations; a missing one is a broken install, said plainly.
            raise forms.ValidationError(
                _("The group «%(group)s» is missing: run `manage.py migrate`.")
                % {"group": ROLES[role]}
            )
        return role

    def save(self):
        return invite(**self.cleaned_data)


def create_account(name, email, role):
    """A staff user in the role's group, with no usable password yet, and its profile."""
    user = get_user_model().objects.create_user(username=email, email=email, is_staff=True)
    user.groups.add(Group.objects.get(name=ROLES[role]))
    account_invited.send(sender=create_account, user=user, name=name)
    return user


def password_link(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_set", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


def send_invitation(user, name, role):
    context = {
        "name": name,
        "username": user.get_username(),
        "role": dict(ROLE_CHOICES)[role],
        "site_name": SiteSettings.load().name,
        "link": password_link(user),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    subject = render_to_string("sitewide/email/invitation_subject.txt", context).strip()
    body = render_to_string("sitewide/email/invitation.txt", context)
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def invite(name, email, role):
    """Make the account and email the link; if the email cannot be sent, no account is left."""
    user = create_account(name, email, role)
    send_invitation(user, name, role)
    return user
