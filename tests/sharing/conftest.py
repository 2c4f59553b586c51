import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import html as lxml_html

HOSTILE_TITLE = "Quotes \" ' and </script><script>alert(1)</script> & «Индексы» <!--"


def json_ld(page):
    """Every JSON-LD block of a page, parsed; fails if one is not JSON."""
    tree = lxml_html.fromstring(page)
    return [json.loads(node.text) for node in tree.xpath('//script[@type="application/ld+json"]')]


def of_type(blocks, schema_type):
    found = [block for block in blocks if block.get("@type") == schema_type]
    assert found, f"no {schema_type} in {[block.get('@type') for block in blocks]}"
    return found[0]


def meta_tags(page):
    """property/name → [content, …] for every <meta> in <head>."""
    tree = lxml_html.fromstring(page)
    tags = {}
    for node in tree.xpath("//head/meta"):
        key = node.get("property") or node.get("name")
        if key:
            tags.setdefault(key, []).append(node.get("content"))
    return tags


def count_cold(client, url):
    """Queries for one request on a cold cache (nothing warmed, not even the site settings)."""
    from django.core.cache import cache

    from sitewide.models import SiteSettings

    SiteSettings.load()  # the row exists, as on any site that has served a page
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def scripts_outside_json_ld(page):
    return re.findall(r"<script(?![^>]*application/ld\+json)[^>]*>.*?</script>", page, re.S)


@pytest.fixture
def social_images(settings):
    settings.SOCIAL_IMAGES = True
