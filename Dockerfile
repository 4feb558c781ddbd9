# Production image for the Voorsprong back office. One image serves web (gunicorn),
# worker and beat (celery); docker-compose.yml picks the command per service.
FROM python:3.11-slim-bookworm

# WEB_CONCURRENCY is gunicorn's default worker count: 3 suits a 2-core host and can be
# changed at run time without a rebuild.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    WEB_CONCURRENCY=3 \
    DJANGO_STATIC_MANIFEST=true

# WeasyPrint loads Pango, HarfBuzz and fontconfig at run time and needs at least one font
# to draw text; harfbuzz-subset lets it embed only the glyphs a report uses.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Fixed UID so files on the named volumes keep their owner across rebuilds.
RUN groupadd --gid 1000 app \
    && useradd --uid 1000 --gid app --create-home app

WORKDIR /app

# Requirements first, so a code change does not reinstall every package.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# The code stays owned by root: the app user can read it but not change it.
COPY . .

# No GNU gettext in the image, so Babel compiles the catalogues (compilemessages would fail).
# collectstatic only needs some key to import the settings; the real one comes at run time.
RUN pybabel compile -d locale -D "django djangojs" \
    && DJANGO_SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput

# The only places the app writes: var/ (celery beat schedule) and the media root. A named
# volume mounted on var/media copies this owner when it is first created.
RUN mkdir -p /app/var/media \
    && chown app:app /app/var /app/var/media

USER app

EXPOSE 8000

CMD ["gunicorn", "voorsprong.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
