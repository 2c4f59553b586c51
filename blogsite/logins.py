"""Login throttling that cannot be turned against staff.

django-axes pauses a user name after repeated failures from anywhere, so anyone who knows an
editor's e-mail address could keep them out. The pause does not hold for the right password
typed from an address that person has logged in from before.
"""

from axes.models import AccessLog
from django.contrib.auth import get_user_model


def right_password_from_a_known_client(request, credentials):
    """AXES_WHITELIST_CALLABLE: True lets this attempt through whatever the lockouts say."""
    credentials = credentials or {}
    username, password = credentials.get("username"), credentials.get("password")
    address = getattr(request, "axes_ip_address", None)
    if not (username and password and address):
        return False
    if not AccessLog.objects.filter(username=username, ip_address=address).exists():
        return False
    user = get_user_model().objects.filter(username=username).first()
    return user is not None and user.check_password(password)
