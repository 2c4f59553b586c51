"""A Redis server of a test's own (a plain module: test files in several folders import it)."""

import contextlib
import socket
import subprocess
import time

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def redis_server(directory, *options, **client_options):
    """Starts `redis-server` with no persistence and `options` (["--maxmemory", "2mb"]);
    yields (port, a client that has had its answer), and stops the server."""
    port = free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            *("--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--dir", str(directory)),
            *options,
        ],
        stdout=subprocess.DEVNULL,
    )
    # No retries: redis-py's client retries a lost connection three times, a second or more
    # apart, and these tests stop the server on purpose (SHUTDOWN itself loses the line).
    client = redis.Redis(port=port, **{"retry": Retry(NoBackoff(), 0), **client_options})
    try:
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.02)  # the server's start, not a timing under test
        yield port, client
    finally:
        server.terminate()
        server.wait()


def as_the_cache(port, user=""):
    """CACHES naming the server on `port` (as `user`, when given) as the site's cache."""
    who = f"{user}@" if user else ""
    location = f"redis://{who}127.0.0.1:{port}/0"
    return {"default": {"BACKEND": "sitewide.cache.FailOpenRedisCache", "LOCATION": location}}
