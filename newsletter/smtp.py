"""Django's SMTP backend, telling its caller the moment before a message's final dot.

An SMTP server takes responsibility for a message only at the "." that ends its DATA. A
worker killed before that dot left the server nothing (it drops an unfinished message with
the connection), so that message can simply be sent again; only a message whose dot went out
and whose answer never came is of unknown fate. To tell the two apart, the sender records
"the dot is going now" (`before_final_dot`) between the message's last line and the dot.
"""

import re
import smtplib

from django.core.mail.backends import smtp

CRLF = b"\r\n"
LINE_START_DOT = re.compile(rb"(?m)^\.")


class FinalDotWithheld(Exception):  # noqa: N818 (an outcome, not an error of ours)
    """`before_final_dot` refused the dot: the message is abandoned, the connection dropped."""


class FinalDotMixin:
    # Called with no arguments after the message's text and before its final dot; raising
    # stops the message (the connection is closed so that the server discards it).
    before_final_dot = None

    def data(self, msg):
        if self.before_final_dot is None:
            return super().data(msg)
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        if isinstance(msg, str):  # Django passes bytes with CRLF line ends already
            msg = re.sub(r"(?:\r\n|\n|\r(?!\n))", "\r\n", msg).encode("ascii")
        text = LINE_START_DOT.sub(b"..", msg)
        if not text.endswith(CRLF):
            text += CRLF
        self.send(text)
        try:
            self.before_final_dot()
        except BaseException:
            # No dot: the server throws the unfinished message away when the line drops.
            self.close()
            raise
        self.send(b"." + CRLF)
        return self.getreply()


class FinalDotSMTP(FinalDotMixin, smtplib.SMTP):
    pass


class FinalDotSMTPSSL(FinalDotMixin, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    """Set `before_final_dot` on the backend; it applies to every message it sends next."""

    before_final_dot = None

    @property
    def connection_class(self):
        return FinalDotSMTPSSL if self.use_ssl else FinalDotSMTP

    def _send(self, email_message):
        self.connection.before_final_dot = self.before_final_dot
        try:
            return super()._send(email_message)
        finally:
            if self.connection is not None:
                self.connection.before_final_dot = None


def check_email_backend(app_configs, **kwargs):
    """Django's own SMTP backend cannot say when a message's final dot goes out: with it, a
    worker killed mid-message leaves that reader "unknown" instead of sending it again."""
    from django.conf import settings
    from django.core import checks

    if settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend":
        return []
    return [
        checks.Warning(
            "EMAIL_BACKEND is Django's SMTP backend, which cannot tell when a message's final "
            "dot is sent: a newsletter message cut off by a worker crash is then marked "
            "unknown instead of sent again.",
            hint="Set EMAIL_BACKEND=newsletter.smtp.EmailBackend (the same backend, telling "
            "the newsletter when the dot goes out), or leave it unset.",
            id="newsletter.W001",
        )
    ]
