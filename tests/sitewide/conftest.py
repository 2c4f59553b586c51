import pytest
from redis_server import as_the_cache, redis_server


@pytest.fixture
def redis(settings, tmp_path):
    """A Redis server of the test's own as the site's cache (the suite's SQLite run has no
    Redis otherwise); yields a client of it."""
    with redis_server(tmp_path) as (port, client):
        settings.CACHES = as_the_cache(port)
        yield client
