"""The whole sitemap as a crawler reads it: the index at /sitemap.xml, then every page it names."""

from urllib.parse import urlsplit

from lxml import etree

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def sitemap_pages(client):
    """Every page of every section the index names, each parsed (a urlset)."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    index = etree.fromstring(response.content)
    assert index.tag == f"{{{NS['s']}}}sitemapindex"
    pages = []
    for location in index.xpath("//s:sitemap/s:loc/text()", namespaces=NS):
        address = urlsplit(location)
        page = client.get(address.path, dict([address.query.split("=")]) if address.query else {})
        assert page.status_code == 200, location
        pages.append(etree.fromstring(page.content))
    return pages


def whole_sitemap(client):
    """Every page's addresses in one urlset, as if the site had a single sitemap file."""
    merged = etree.Element(f"{{{NS['s']}}}urlset", nsmap={None: NS["s"], "xhtml": NS["x"]})
    for page in sitemap_pages(client):
        merged.extend(page)
    return merged


def sitemap_text(client):
    return "\n".join(etree.tostring(page, encoding="unicode") for page in sitemap_pages(client))
