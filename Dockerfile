# LeadFlow image: one image for web (gunicorn), worker and beat (celery); see docker-compose.yml.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are baked into the image (served by WhiteNoise). The settings need a key
# with DEBUG off; this dummy one exists only during this build step.
RUN DJANGO_SECRET_KEY=collectstatic-build-only-dummy-key LEADFLOW_DATA_DIR=/tmp/build-data \
    python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-data

# Run as an unprivileged user. All state lives in PostgreSQL and Redis; the code is read-only.
RUN useradd --system --no-create-home --shell /usr/sbin/nologin leadflow
USER leadflow

EXPOSE 8000
# No control socket: gunicornc is not used, and the user has no home directory for it.
CMD ["gunicorn", "leadflow.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--no-control-socket"]
