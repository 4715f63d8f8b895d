# Co-crea: one image for the web process (gunicorn), the Celery worker and beat, and the migrations;
# see docker-compose.yml and deploy/k8s/.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

# WeasyPrint's system libraries, and the one font the PDFs name (Liberation Sans, static/css/pdf.css;
# the same in .ci/run and the README): the same PDF, byte for byte, as CI renders.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
# Installs the dependencies (and a copy of the apps); PYTHONPATH=/app makes the apps run from /app,
# next to templates/, static/ and locale/ (settings.BASE_DIR). The static files are collected here, once
# per image, not by each container at start-up (the settings need these three only to load; they are not
# kept in the image). Migrations are not the image's either: docker-compose.yml's migrate service and
# deploy/k8s/migrate-job.yaml run them once per deploy.
RUN pip install . \
    && DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost COCREA_SITE_URL=http://localhost \
        python manage.py collectstatic --no-input \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin cocrea \
    && mkdir -p /app/media \
    && chown cocrea:cocrea /app/media

USER cocrea
EXPOSE 8000
CMD ["gunicorn", "paga.wsgi", "-b", "0.0.0.0:8000", "-w", "2"]
