# Production image for the Voorsprong back office. One image serves web (gunicorn),
# worker and beat (celery); docker-compose.yml picks the command per service.
FROM python:3.11-slim-bookworm

# gunicorn's workers and timeouts come from the environment at run time (gunicorn.conf.py:
# WEB_CONCURRENCY, by default 2 x cores + 1, GUNICORN_TIMEOUT, ...), so they change without a rebuild.
# DJANGO_DEBUG=false makes the image production: it refuses to start without a DJANGO_SECRET_KEY of its
# own and DJANGO_ALLOWED_HOSTS.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_DEBUG=false \
    DJANGO_STATIC_MANIFEST=true

# bin/backup and bin/restore need pg_dump, pg_restore and psql of the server's major version (pg_dump
# refuses a newer server): keep this in step with the postgres image of docker-compose.yml.
ARG POSTGRES_MAJOR=16

# WeasyPrint loads Pango, HarfBuzz and fontconfig at run time and needs at least one font
# to draw text; harfbuzz-subset lets it embed only the glyphs a report uses. The PostgreSQL
# client comes from the PostgreSQL project's repository (postgresql-common sets it up, with
# its signing key), since Debian's is one major version behind.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        ca-certificates \
        postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends "postgresql-client-${POSTGRES_MAJOR}" \
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
# collectstatic only needs some key and host to import the settings; the real ones come at run time.
RUN pybabel compile -d locale -D "django djangojs" \
    && DJANGO_SECRET_KEY=collectstatic-only-not-a-secret DJANGO_ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput

# The only places the app writes: var/ (celery beat schedule), the media root and the
# backups (bin/backup). A named volume mounted on one of them copies this owner when it is
# first created.
RUN mkdir -p /app/var/media /app/var/backups \
    && chown app:app /app/var /app/var/media /app/var/backups

USER app

EXPOSE 8000

# Bind address, workers, timeouts and the access log: gunicorn.conf.py.
CMD ["gunicorn", "--config", "gunicorn.conf.py", "voorsprong.wsgi:application"]
