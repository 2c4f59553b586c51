"""An invited person's Author profile, made inside the invitation's transaction."""

from django.dispatch import receiver
from django.utils.text import slugify

from articles.models import Author
from sitewide.invitations import account_invited


def unique_author_slug(name, email):
    base = slugify(name) or slugify(email.split("@")[0]) or "author"
    slug, number = base, 1
    while Author.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


@receiver(account_invited, dispatch_uid="author-profile-for-invited")
def make_author_profile(sender, *, user, name, **kwargs):
    Author.objects.create(user=user, name=name, slug=unique_author_slug(name, user.email))
