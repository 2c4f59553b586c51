"""A real SMTP server for the delivery tests (aiosmtpd), with the failures we need.

It counts what it accepted per recipient; rules make it answer a recipient with a 4xx
or a 5xx, hang up after a number of messages, or be stopped and started again.
"""

import asyncio
import socket
import time
from collections import Counter

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    def __init__(self):
        self.received = Counter()
        # address → list of replies to give its RCPT TO, one per try ("250" lets it through)
        self.rcpt_replies = {}
        self.hang_up_after = None  # drop the line at the next message after this many
        self.delay = 0.0  # seconds to take over each message
        self.greetings = 0  # EHLOs: one per connection
        # addresses whose next message is taken at its final dot and never answered: the
        # line drops instead
        self.silent_after_dot = set()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        self.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.hang_up_after == 0:
            self.hang_up_after = None
            # Between two messages, as a restarting server or an idle timeout does.
            server.transport.close()
            return "421 4.3.2 Closing"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        replies = self.rcpt_replies.get(address)
        if replies:
            reply = replies.pop(0)
            if not reply.startswith("250"):
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        for address in envelope.rcpt_tos:
            self.received[address] += 1
        if self.silent_after_dot & set(envelope.rcpt_tos):
            self.silent_after_dot -= set(envelope.rcpt_tos)
            server.transport.close()
            return "250 never heard"
        if self.hang_up_after:
            self.hang_up_after -= 1
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.sink = Sink()
        self.controller = None

    def start(self):
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count, timeout=20):
        deadline = time.monotonic() + timeout
        while sum(self.sink.received.values()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {self.sink.received.total()} messages arrived")
            time.sleep(0.02)
