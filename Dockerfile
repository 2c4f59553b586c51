# Production image: gunicorn serving the site, WhiteNoise serving static files.
# Run the task worker from the same image with `python manage.py db_worker` once tasks land.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DEBUG=false

WORKDIR /app
RUN useradd --create-home --uid 1000 blog

COPY pyproject.toml README.md ./
COPY blogsite ./blogsite
COPY articles ./articles
COPY series ./series
COPY newsletter ./newsletter
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY manage.py ./
RUN pip install -e . \
    && SECRET_KEY=collectstatic-only-not-a-real-secret-key-0123456789abcdef \
       python manage.py collectstatic --noinput

USER blog
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn blogsite.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --access-logfile -"]
