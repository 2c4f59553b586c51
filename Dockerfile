# Production image: the same processes as `make prod` (deploy/prod.py): Debian's nginx caching
# in front of two gunicorn app servers, and the task worker. PostgreSQL and Redis run outside:
#   docker run -p 8080:8080 -e DATABASE_URL=postgres://... -e REDIS_URL=redis://... \
#       -e SECRET_KEY=... -e ALLOWED_HOSTS=blog.example.org blog
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DEBUG=false

RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
RUN useradd --create-home --uid 1000 blog

COPY pyproject.toml README.md ./
# Every app in INSTALLED_APPS (tests/test_deploy_supervisor.py checks the list).
COPY blogsite ./blogsite
COPY sitewide ./sitewide
COPY articles ./articles
COPY series ./series
COPY newsletter ./newsletter
COPY federation ./federation
COPY portability ./portability
COPY hugo_import ./hugo_import
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY deploy ./deploy
COPY manage.py ./
RUN pip install -e . \
    && SECRET_KEY=collectstatic-only-not-a-real-secret-key-0123456789abcdef \
       python manage.py collectstatic --noinput \
    && mkdir -p /app/.prod /app/media && chown -R blog /app/.prod /app/media /app/staticfiles

USER blog
EXPOSE 8080
# Migrates, then runs nginx on :8080, two app servers and the worker; SIGTERM stops them all.
CMD ["python", "deploy/prod.py", "--listen", "0.0.0.0"]
