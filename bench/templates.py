"""`make bench-templates`: Django's template engine against Jinja2 for the public pages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/templates.py

Run it against a database holding the bench data set (bench/dataset.py; PostgreSQL, as
production). It needs Jinja2, which the site does not (`make bench-templates` installs it).

1. Where an uncached page's time goes: the hub and an article through Django's test client,
   page cache off. Each request is timed whole, and so is every top-level template render
   (the backend's `Template.render`: the page with its includes) and the SQL that runs
   inside that render (querysets a template iterates); what is left of the render is the
   template engine's own work. A cProfile pass gives the same share as the profiler sees it.
2. The hub's card list (articles/_listing.html with _card, _meta and _pagination: what every
   listing repeats ten times) ported to Jinja2 here, bench-only, and both engines timed on the
   same page of 10 articles from the real view's context (objects loaded, so no SQL in
   either); the two outputs are compared after collapsing whitespace.

CPU time of this process (`time.process_time`) for the template-only timings, since the
machine is shared and wall time would measure the neighbours; wall time for requests (they
wait on PostgreSQL). The figures go to the "Templates: Django vs Jinja2" section of
bench/RESULTS.md, between its markers.
"""

import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.append(str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
os.environ["PAGE_CACHE_SECONDS"] = "0"
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECRET_KEY", "bench-templates-" + "x" * 50)
os.environ.pop("REDIS_URL", None)  # local memory: we time templates, not the network

START, END = "<!-- templates-bench:begin -->", "<!-- templates-bench:end -->"
PAGES = [("hub", "/en/"), ("article", "/en/posts/bench-0/")]
REQUESTS = 60
RENDERS = 400

# The card list in Jinja2, as close to the Django templates as the two languages allow.
# Differences a real port would carry everywhere: methods are called (`page.has_next()`),
# a missing related object raises instead of rendering nothing (hence `series_of`), the
# date filter does not convert to local time by itself, and {% blocktranslate %} becomes
# gettext with named placeholders.
JINJA_TEMPLATES = {
    "listing": (
        '{% for article in page %}\n  {% include "card" %}\n'
        '{% else %}\n  <p class="empty">{{ _("Nothing has been published here yet.") }}</p>\n'
        '{% endfor %}\n{% include "pagination" %}\n'
    ),
    "card": (
        '<article class="card">\n'
        "  {% set series = series_of(article) if show_series else None %}"
        '{% if series %}<p class="card-series eyebrow"><a href="{{ series.get_absolute_url() }}"'
        '{{ fallback_lang(series, "title") }}>{{ series.title }}</a></p>{% endif %}\n'
        '  <h2 class="card-title"><a href="{{ article.get_absolute_url() }}"'
        '{{ fallback_lang(article, "title") }}>{{ article.title }}</a>'
        '{{ fallback_badge(article, "title") }}</h2>\n'
        '  {% if article.shown_summary %}<p class="card-summary"'
        '{{ fallback_lang(article, "title") }}>{{ article.shown_summary }}</p>{% endif %}\n'
        '  {% include "meta" %}\n</article>'
    ),
    "meta": (
        '<p class="meta">{% if article.published_at %}<time datetime="'
        "{{ article.published_at|date('c') }}\">{{ article.published_at|date('DATE_FORMAT') }}"
        '</time>{% else %}{{ _("Not scheduled yet") }}{% endif %}{% if article.reading_minutes %}'
        ' · {{ ngettext("%(minutes)s min", "%(minutes)s min", article.reading_minutes, '
        "minutes=article.reading_minutes) }}{% endif %}"
        ' · <a href="{{ article.author.get_absolute_url() }}">{{ article.author.name }}</a></p>\n'
    ),
    "pagination": (
        "{% if page.has_other_pages() %}\n"
        '<nav class="pagination" aria-label="{{ _("Pages") }}">\n'
        '  {% if page.has_previous() %}<a rel="prev" '
        'href="{{ page_url(page.previous_page_number()) }}">← {{ _("Newer") }}</a>{% endif %}\n'
        '  <span>{{ _("Page %(number)s of %(total)s", number=page.number, '
        "total=page.paginator.num_pages) }}</span>\n"
        '  {% if page.has_next() %}<a rel="next" href="{{ page_url(page.next_page_number()) }}">'
        '{{ _("Older") }} →</a>{% endif %}\n</nav>\n{% endif %}\n'
    ),
}


def jinja_environment(request):
    import jinja2
    from django.core.exceptions import ObjectDoesNotExist
    from django.template.defaultfilters import date
    from django.utils import timezone, translation

    from articles.templatetags.article_tags import fallback_badge, fallback_lang

    def series_of(article):
        try:
            return article.series_part.series
        except ObjectDoesNotExist:
            return None

    def page_url(number):
        query = request.GET.copy()
        query["page"] = str(number)
        return f"?{query.urlencode()}"

    environment = jinja2.Environment(
        loader=jinja2.DictLoader(JINJA_TEMPLATES),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=True)
    environment.filters["date"] = lambda value, arg: date(timezone.localtime(value), arg)
    environment.globals.update(
        series_of=series_of,
        page_url=page_url,
        fallback_lang=fallback_lang,
        fallback_badge=fallback_badge,
    )
    return environment


def same_html(text):
    text = text.replace("&#39;", "&#x27;")  # markupsafe's and Django's escape of "'"
    return re.sub(r"\s+", " ", text).replace("> <", "><").strip()


class RenderClock:
    """Times each top-level template render and the SQL that runs inside it."""

    def __init__(self):
        from django.db import connection
        from django.template.backends.django import Template

        self.connection, self.template_class = connection, Template
        self.renders, self.sql_in_render, self.depth = 0.0, 0.0, 0

    def __enter__(self):
        original = self.template_class.render
        clock = self

        def timed_render(template, *args, **kwargs):
            clock.depth += 1
            started = time.perf_counter()
            try:
                return original(template, *args, **kwargs)
            finally:
                clock.depth -= 1
                if not clock.depth:
                    clock.renders += time.perf_counter() - started

        def timed_sql(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                if clock.depth:
                    clock.sql_in_render += time.perf_counter() - started

        self.original = original
        self.template_class.render = timed_render
        self.wrapper = self.connection.execute_wrapper(timed_sql)
        self.wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self.wrapper.__exit__(*exc)
        self.template_class.render = self.original


def where_time_goes(client, path):
    """Median ms of: the request, its template renders, SQL inside them; the engine's share."""
    totals, renders, sql = [], [], []
    for _ in range(REQUESTS):
        with RenderClock() as clock:
            started = time.perf_counter()
            assert client.get(path).status_code == 200
            totals.append((time.perf_counter() - started) * 1000)
        renders.append(clock.renders * 1000)
        sql.append(clock.sql_in_render * 1000)
    engine = [r - s for r, s in zip(renders, sql, strict=True)]
    shares = [e / t for e, t in zip(engine, totals, strict=True)]
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(REQUESTS // 3):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    whole = sum(
        cumulative
        for (file, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.items()
        if name == "get" and file.endswith("django/test/client.py")
    )
    rendered = sum(
        cumulative
        for (file, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.items()
        if name == "render" and file.endswith("django/template/backends/django.py")
    )
    return {
        "request": statistics.median(totals),
        "render": statistics.median(renders),
        "sql_in_render": statistics.median(sql),
        "engine": statistics.median(engine),
        "share": statistics.median(shares),
        # The profiler counts each page twice (client.get calls itself): halve the total.
        "profiled_share": rendered / (whole / 2) if whole else 0.0,
    }


def card_list_timings():
    """CPU ms per render of one hub page's card list: Django's templates, then the port."""
    from django.template import Context, engines
    from django.test import RequestFactory
    from django.utils import translation

    from articles.models import Article
    from articles.views import paginate

    request = RequestFactory().get("/en/", HTTP_HOST="127.0.0.1")
    with translation.override("en"):
        # The hub's page 1 as blogsite.views.home loads it (objects loaded once: no SQL in
        # what is timed).
        page = paginate(request, Article.objects.listing().select_related("series_part__series"))
        context = {"page": page, "show_series": True, "request": request}
        django_template = engines["django"].get_template("articles/_listing.html").template
        jinja_template = jinja_environment(request).get_template("listing")
        django_html = django_template.render(Context(context))
        jinja_html = jinja_template.render(context)
        assert same_html(django_html) == same_html(jinja_html), (django_html, jinja_html)
        timings = {"django": [], "jinja2": []}
        for _ in range(RENDERS // 20):  # alternating rounds: both see the same load
            for name, render in (
                ("django", lambda: django_template.render(Context(context))),
                ("jinja2", lambda: jinja_template.render(context)),
            ):
                started = time.process_time()
                for _ in range(20):
                    render()
                timings[name].append((time.process_time() - started) / 20 * 1000)
    return {name: statistics.median(values) for name, values in timings.items()}


def main():
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client, override_settings

    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=plain_static).enable()
    client = Client(HTTP_HOST="127.0.0.1")
    for _name, path in PAGES:
        for _ in range(5):
            assert client.get(path).status_code == 200, path
    pages = {name: where_time_goes(client, path) for name, path in PAGES}
    cards = card_list_timings()
    load = os.getloadavg()[0]
    lines = [
        f"`python bench/templates.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, bench data set, "
        f"page cache off, DEBUG off; load average {load:.1f} on 2 cores at the end.",
        "",
        "| page | request ms | template render ms | of which SQL ms | engine ms | "
        "engine share | share under cProfile |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, path in PAGES:
        row = pages[name]
        lines.append(
            f"| {name} `{path}` | {row['request']:.1f} | {row['render']:.1f} | "
            f"{row['sql_in_render']:.1f} | {row['engine']:.1f} | {row['share']:.0%} | "
            f"{row['profiled_share']:.0%} |"
        )
    speedup = cards["django"] / cards["jinja2"] if cards["jinja2"] else 0
    lines += [
        "",
        "| the hub's card list (10 cards, pagination), CPU ms per render | Django | Jinja2 |"
        " Django / Jinja2 |",
        "| --- | ---: | ---: | ---: |",
        f"| same output (checked) | {cards['django']:.2f} | {cards['jinja2']:.2f} | "
        f"{speedup:.1f}x |",
    ]
    text = "\n".join(lines)
    print(text)
    import benchkit

    benchkit.write_section(START, END, text)


if __name__ == "__main__":
    main()
