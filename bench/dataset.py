"""A realistic data set for the benchmarks: thousands of articles, half of them translated.

    python bench/dataset.py --articles 10000          # into the database DATABASE_URL names
    python bench/dataset.py --articles 10000 --replace

It writes with bulk_create, so it costs seconds, not the hour that 10,000 `Article.save()`
calls would: bodies are rendered once per template by the site's own renderer and reused.
Work that `save()` or its signals would do per article (search vectors, social images)
is not done here; a benchmark that needs it runs its own bulk refresh afterwards.
Every generated row is marked by the slug prefix `bench-`; `--replace` removes only those.
"""

import argparse
import os
import random
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "bench-"

EN_TEXT = (
    "index query planner latency cache replica shard queue worker backpressure throughput "
    "vacuum bloat partition migration rollout canary deploy rollback trace span metric "
    "alert budget error retry timeout idempotency lock contention pool connection thread "
    "scheduler container image registry build pipeline test fixture benchmark profile "
    "allocation memory garbage collector compiler runtime protocol stream batch event log"
)
RU_TEXT = (
    "индекс запрос планировщик задержка кэш реплика шард очередь воркер пропускная "
    "способность вакуум раздувание секция миграция выкатка канарейка откат трассировка "
    "метрика оповещение бюджет ошибка повтор таймаут идемпотентность блокировка пул "
    "соединение поток планирование контейнер образ реестр сборка конвейер тест профиль "
    "память сборщик мусора компилятор протокол пакет событие журнал нагрузка"
)
EN_WORDS, RU_WORDS = EN_TEXT.split(), RU_TEXT.split()
TITLE_SHAPES_EN = (
    "How we cut {a} {b} in half",
    "A field guide to {a} and {b}",
    "Why your {a} needs a {b}",
    "{A} at scale: lessons from production",
    "What {a} teaches about {b}",
)
TITLE_SHAPES_RU = (
    "Как мы вдвое сократили {a}",
    "Практическое руководство: {a} и {b}",
    "Зачем вашему сервису {a}",
    "{A} в продакшене: уроки",
    "Чему учит {a}",
)


def sentence(rng, words, length):
    text = " ".join(rng.choice(words) for _ in range(length))
    return text[0].upper() + text[1:] + "."


def body(rng, words, sections=5):
    """Markdown in the shape of a real post: headings, paragraphs, a list and a code block."""
    parts = []
    for number in range(1, sections + 1):
        parts.append(f"## {sentence(rng, words, 4)[:-1]} {number}")
        for _ in range(3):
            parts.append(" ".join(sentence(rng, words, rng.randint(10, 22)) for _ in range(4)))
        parts.append("\n".join(f"- {sentence(rng, words, 6)}" for _ in range(4)))
        parts.append(
            "```python\n"
            f"def step_{number}(items):\n"
            "    return [item for item in items if item.ready]\n"
            "```"
        )
    return "\n\n".join(parts)


def title(rng, shapes, words):
    a, b = rng.sample(words, 2)
    return rng.choice(shapes).format(a=a, b=b, A=a.capitalize())


def remove_generated():
    from articles.models import Article, Author, Tag
    from series.models import Series

    Series.objects.filter(slug__startswith=PREFIX).delete()
    Article.objects.filter(slug__startswith=PREFIX).delete()
    Tag.objects.filter(slug__startswith=PREFIX).delete()
    Author.objects.filter(slug__startswith=PREFIX).delete()


def build(articles=10000, authors=50, tags=200, series=20, parts_max=25, seed=1):
    """Create the data set; returns the number of articles written (0 if it was there)."""
    from django.db import transaction
    from django.utils import timezone

    from articles.models import Article, Author, Tag
    from articles.rendering import RENDERER_VERSION, render_article_body
    from series.models import Series, SeriesPart

    if Article.objects.filter(slug__startswith=PREFIX).count() >= articles:
        return 0
    remove_generated()
    rng = random.Random(seed)  # noqa: S311 (repeatable data, not secrets)
    now = timezone.now()

    # A handful of rendered bodies per language, reused: rendering is not what we measure.
    templates = []
    for _ in range(20):
        en, ru = body(rng, EN_WORDS), body(rng, RU_WORDS)
        templates.append((en, render_article_body(en), ru, render_article_body(ru)))

    with transaction.atomic():
        author_rows = Author.objects.bulk_create(
            Author(
                name=f"Author {number}",
                slug=f"{PREFIX}author-{number}",
                bio_en=sentence(rng, EN_WORDS, 14),
                bio_ru=sentence(rng, RU_WORDS, 14) if number % 2 else "",
            )
            for number in range(authors)
        )
        tag_rows = Tag.objects.bulk_create(
            Tag(
                name=f"{EN_WORDS[number % len(EN_WORDS)]} {number}",
                name_en=f"{EN_WORDS[number % len(EN_WORDS)]} {number}",
                name_ru=f"{RU_WORDS[number % len(RU_WORDS)]} {number}",
                slug=f"{PREFIX}tag-{number}",
            )
            for number in range(tags)
        )

        rows = []
        for number in range(articles):
            en, en_html, ru, ru_html = templates[number % len(templates)]
            translated = number % 2 == 0
            # Five years of history, newest first by number; a few scheduled and drafts.
            published_at = now - timedelta(hours=4 * number + 1)
            status = Article.Status.PUBLISHED
            if number % 997 == 3:
                published_at = now + timedelta(days=1 + number % 30)
            elif number % 499 == 7:
                status = Article.Status.DRAFT
            title_en = f"{title(rng, TITLE_SHAPES_EN, EN_WORDS)} ({number})"
            summary_en = sentence(rng, EN_WORDS, 24)
            row = Article(
                slug=f"{PREFIX}{number}",
                title=title_en,
                title_en=title_en,
                summary=summary_en,
                summary_en=summary_en,
                body=en,
                body_en=en,
                body_html=en_html.html,
                body_html_en=en_html.html,
                toc_html=en_html.toc_html,
                toc_html_en=en_html.toc_html,
                reading_minutes=en_html.minutes,
                reading_minutes_en=en_html.minutes,
                author=author_rows[number % authors],
                status=status,
                published_at=published_at,
                english_updated_at=published_at,
                # Rendered by today's renderer: `make prod`'s start (`rerender --if-outdated`)
                # must not render all of them again and announce them as one change, which kept
                # the task worker ranking related reading for minutes while wrk measured.
                renderer_version=RENDERER_VERSION,
            )
            if translated:
                row.title_ru = f"{title(rng, TITLE_SHAPES_RU, RU_WORDS)} ({number})"
                row.summary_ru = sentence(rng, RU_WORDS, 24)
                row.body_ru = ru
                row.body_html_ru = ru_html.html
                row.toc_html_ru = ru_html.toc_html
                row.reading_minutes_ru = ru_html.minutes
                row.translation_source = "\n\n".join((title_en, summary_en, en))
            rows.append(row)
        article_rows = Article.objects.bulk_create(rows, batch_size=500)

        article_tags = Article.tags.through
        article_tags.objects.bulk_create(
            (
                article_tags(article_id=article.pk, tag_id=tag.pk)
                for article in article_rows
                for tag in rng.sample(tag_rows, 3)
            ),
            batch_size=2000,
        )

        series_rows = Series.objects.bulk_create(
            Series(
                title=f"Series {number}: {title(rng, TITLE_SHAPES_EN, EN_WORDS)}",
                title_en=f"Series {number}: {title(rng, TITLE_SHAPES_EN, EN_WORDS)}",
                slug=f"{PREFIX}series-{number}",
                intro_en=sentence(rng, EN_WORDS, 30),
                intro_html_en=f"<p>{sentence(rng, EN_WORDS, 30)}</p>",
            )
            for number in range(series)
        )
        # Parts come from the newer articles, oldest part first, as a series grows over time.
        pool = reversed(article_rows[: series * parts_max * 2 : 2])
        slots = [
            (one_series, position)
            for index, one_series in enumerate(series_rows)
            for position in range(1, parts_max - index % 5 + 1)
        ]
        # zip stops at the shorter: a small data set gets fewer parts, never an error.
        SeriesPart.objects.bulk_create(
            SeriesPart(series=one_series, article=article, position=position)
            for (one_series, position), article in zip(slots, pool, strict=False)
        )
    return len(article_rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--replace", action="store_true", help="remove generated rows first")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
    import django

    django.setup()
    if args.replace:
        remove_generated()
    written = build(articles=args.articles)
    print(f"{written} articles written" if written else "the data set is already there")


if __name__ == "__main__":
    main()
