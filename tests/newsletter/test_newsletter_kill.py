"""A real worker killed with -9 at each point of its SMTP conversation (issue 28, finding 11).

The mail server (aiosmtpd) takes a message only at the final dot of its DATA. A message cut
off before its dot must be sent again by the next worker; only one whose dot went out and
whose answer never came may be "unknown". A TCP proxy in front of the server holds the
conversation at the point under test, so the kill lands there every time; the second worker
must finish the sending by itself within a few leases (one second each here: only one worker
lives at a time, so no claim of a live worker can run out to another's benefit).
"""

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction
from smtp_sink import Sink, SMTPServer
from test_newsletter_delivery import PROJECT, database_url

from newsletter.models import Delivery, Issue

pytestmark = pytest.mark.django_db(transaction=True)

LEASE = 1


class HoldingSink(Sink):
    """Records each message at its final dot; can keep the answer to the first one back."""

    def __init__(self):
        super().__init__()
        self.hold_first_answer = False
        self.first_recorded = threading.Event()
        self.answer = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        reply = await super().handle_DATA(server, session, envelope)
        if self.hold_first_answer and not self.first_recorded.is_set():
            self.first_recorded.set()
            await asyncio.get_running_loop().run_in_executor(None, self.answer.wait, 30)
        return reply


class HoldingProxy:
    """Passes an SMTP conversation through, holding the first one at the point under test.

    "greeting": the server's 220 is kept back, so the worker waits inside connect().
    "data": the server's 354 to DATA waits for `go_on`; then the message's text passes
    except its last bytes, so the server never gets a final dot from this connection.
    """

    def __init__(self, upstream_port, hold):
        self.upstream_port = upstream_port
        self.hold = hold
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connected = threading.Event()
        self.data_command = threading.Event()
        self.go_on = threading.Event()
        self.text_passed = threading.Event()
        self.first = True
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.listener.close()

    def _accept(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream_port))
            held, self.first = self.first, False
            if held:
                self.connected.set()
            for source, target, pump in (
                (client, server, self._client_to_server),
                (server, client, self._server_to_client),
            ):
                threading.Thread(
                    target=pump, args=(source, target, held and self.hold), daemon=True
                ).start()

    def _client_to_server(self, source, target, hold):
        in_data = False
        tail = b""
        while chunk := _receive(source):
            if hold == "data" and in_data:
                # The message's text, short of its last bytes: never the final dot.
                tail += chunk
                target.sendall(tail[:-5])
                tail = tail[-5:]
                self.text_passed.set()
                continue
            if hold == "data" and chunk.upper().startswith(b"DATA"):
                in_data = True
                self.data_command.set()
            target.sendall(chunk)
        _shut(source, target)

    def _server_to_client(self, source, target, hold):
        while chunk := _receive(source):
            if hold == "greeting":
                continue  # the worker waits for a greeting that never comes
            if hold == "data" and chunk.startswith(b"354"):
                self.go_on.wait(30)
            target.sendall(chunk)
        _shut(source, target)


def _receive(sock):
    try:
        return sock.recv(65536)
    except OSError:
        return b""


def _shut(*sockets):
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


@pytest.fixture
def sink():
    server = SMTPServer()
    server.sink = HoldingSink()
    server.start()
    yield server
    server.sink.answer.set()
    server.stop()


@pytest.fixture
def issue(make_article, make_subscriber):
    for number in range(6):
        make_subscriber(email=f"reader{number}@example.com", language=("en", "ru")[number % 2])
    issue = Issue.objects.create(subject_en="Weekly", subject_ru="Неделя")
    issue.articles.set([make_article()])
    return issue


@pytest.fixture
def start_worker(tmp_path):
    started = []

    def start(smtp_port, database=None):
        env = {
            **os.environ,
            "DATABASE_URL": database or database_url(),
            "DB_CONN_MAX_AGE": "0",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_TIMEOUT": "10",
            "NEWSLETTER_LEASE_SECONDS": str(LEASE),
            "NEWSLETTER_RETRY_DELAY": "1",
            "NEWSLETTER_RETRY_MAX_DELAY": "1",
        }
        log = open(tmp_path / f"worker{len(started)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.1",
            ],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((process, log))
        process.log = log.name
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            process.kill()
        process.wait()
        log.close()


def kill(process):
    process.send_signal(signal.SIGKILL)
    process.wait()


def sent_by_the_next_worker(issue, start_worker, smtp_port):
    """Start a second worker; the seconds it took to finish the sending by itself."""
    started = time.monotonic()
    start_worker(smtp_port)
    while Issue.objects.get(pk=issue.pk).status != Issue.Status.SENT:
        waited = time.monotonic() - started
        # Leases of 1 s: a few seconds, plus the worker's start on a busy machine.
        assert waited < 30, f"not sent after {waited:.0f} s: {issue.progress()}"
        time.sleep(0.1)
    return time.monotonic() - started


def states():
    return Counter(Delivery.objects.values_list("status", flat=True))


def everyone_once():
    return Counter({f"reader{number}@example.com": 1 for number in range(6)})


def wait(event, what):
    assert event.wait(30), f"the worker never reached {what}"


def test_killed_while_connecting_the_message_is_sent_again(issue, sink, start_worker):
    proxy = HoldingProxy(sink.port, hold="greeting")
    issue.send_now()
    first = start_worker(proxy.port)
    wait(proxy.connected, "the mail server")  # it waits for the greeting now

    kill(first)
    sent_by_the_next_worker(issue, start_worker, proxy.port)

    assert sink.sink.received == everyone_once()
    assert states() == Counter({Delivery.Status.SENT: 6})
    proxy.close()


def lock_waiters():
    """Statements waiting for a row lock (PostgreSQL), as of now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else one snapshot per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


def until(condition, what, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.05)


def test_killed_mid_data_before_the_final_dot_the_message_is_sent_again(issue, sink, start_worker):
    proxy = HoldingProxy(sink.port, hold="data")
    issue.send_now()
    first = start_worker(proxy.port)
    wait(proxy.data_command, "DATA")
    with transaction.atomic():
        # Every write to the deliveries waits behind this one, so the worker cannot get past
        # the message's text: whatever it writes before its final dot, the kill lands first.
        Delivery.objects.filter(issue=issue).update(error="")
        proxy.go_on.set()
        wait(proxy.text_passed, "the message's text")
        postgresql = connection.vendor == "postgresql"
        if postgresql:
            until(lambda: lock_waiters() == 1, "waited for the lock")
        kill(first)
        if postgresql:
            # The dead worker's waiting write is cancelled, not run when the lock is free.
            until(lambda: lock_waiters() == 0, "cancelled the dead worker's write")
        transaction.set_rollback(True)
    assert sink.sink.received == Counter()  # the server got no final dot

    sent_by_the_next_worker(issue, start_worker, proxy.port)

    assert sink.sink.received == everyone_once()
    assert states() == Counter({Delivery.Status.SENT: 6})
    proxy.close()


def test_killed_after_the_final_dot_before_the_answer_the_message_is_unknown_not_repeated(
    issue, sink, start_worker
):
    sink.sink.hold_first_answer = True
    issue.send_now()
    first = start_worker(sink.port)
    wait(sink.sink.first_recorded, "the final dot")
    [(taken, _count)] = sink.sink.received.items()

    kill(first)
    sink.sink.answer.set()
    sent_by_the_next_worker(issue, start_worker, sink.port)

    assert sink.sink.received == everyone_once()  # that one too, once
    assert states() == Counter({Delivery.Status.SENT: 5, Delivery.Status.UNKNOWN: 1})
    assert Delivery.objects.get(status=Delivery.Status.UNKNOWN).subscriber.email == taken


class DatabaseLine:
    """A TCP proxy in front of PostgreSQL that can be cut (every connection dropped, new ones
    refused) and restored on the same port, as a database restart or a network blip does."""

    def __init__(self, host, port):
        self.upstream = (host, port)
        self.port = None
        self.open_sockets = []
        self.lock = threading.Lock()
        self.restore()

    def restore(self):
        self.listener = socket.create_server(("127.0.0.1", self.port or 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self):
        self.listener.close()
        with self.lock:
            sockets, self.open_sockets = self.open_sockets, []
        _shut(*sockets)

    def _accept(self, listener):
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.open_sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target):
        while chunk := _receive(source):
            try:
                target.sendall(chunk)
            except OSError:
                break
        _shut(source, target)


def test_a_database_outage_mid_sending_resumes_by_itself_within_seconds(
    issue, make_subscriber, start_worker, sink
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the outage is a cut TCP line to the database server")
    for number in range(6, 30):
        make_subscriber(email=f"reader{number}@example.com")
    settings = connection.settings_dict
    line = DatabaseLine(settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432))
    through_line = database_url().replace(f":{settings['PORT'] or 5432}/", f":{line.port}/")
    sink.sink.delay = 0.05
    issue.send_now()
    worker = start_worker(sink.port, through_line)
    sink.wait_for(5)

    line.cut()
    time.sleep(3)  # the outage itself
    line.restore()
    restored = time.monotonic()
    while Issue.objects.get(pk=issue.pk).status != Issue.Status.SENT:
        waited = time.monotonic() - restored
        assert waited < 30, f"not sent {waited:.0f} s after the outage: {issue.progress()}"
        time.sleep(0.1)
    with open(worker.log) as log:
        assert "Database unavailable" in log.read()  # it did live through the outage

    received = sink.sink.received
    assert max(received.values()) == 1
    by_state = states()
    # A database cut between a message's final dot and its answer's record is the one case
    # that stays unknown; everything else arrived once.
    assert by_state[Delivery.Status.UNKNOWN] <= 1
    assert by_state[Delivery.Status.SENT] + by_state[Delivery.Status.UNKNOWN] == 30
    assert set(received) >= set(
        Delivery.objects.filter(status=Delivery.Status.SENT).values_list(
            "subscriber__email", flat=True
        )
    )
    line.cut()
