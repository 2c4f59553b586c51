import smtplib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from sitewide.invitations import ROLES, InvitationForm
from sitewide.languages import site_languages


class Command(BaseCommand):
    help = (
        "Invite an author or an editor: make the account, its Author profile and its group, "
        "and email a link to set the password."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="As readers will see it.")
        parser.add_argument("--role", choices=sorted(ROLES), default="author")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=site_languages(),
            help="The language of the email.",
        )

    def handle(self, email, name, role, language, **options):
        form = InvitationForm({"email": email, "name": name, "role": role})
        with translation.override(language):
            if not form.is_valid():
                errors = form.errors.values()
                raise CommandError(" ".join(str(message) for field in errors for message in field))
            try:
                user = form.save()
            except (OSError, smtplib.SMTPException) as error:
                message = f"The email could not be sent, so no account was made: {error}"
                raise CommandError(message) from error
        self.stdout.write(f"Invited {user.email} as {role}: the email with the link is sent.")
