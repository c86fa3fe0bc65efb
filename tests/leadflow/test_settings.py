"""The settings module read from the environment, checked in a fresh interpreter each time."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'engine': s.DATABASES['default']['ENGINE'], "
    "'age': s.DATABASES['default']['CONN_MAX_AGE'], 'health': s.DATABASES['default']['CONN_HEALTH_CHECKS'], "
    "'broker': s.CELERY_BROKER_URL, 'ssl': s.SECURE_SSL_REDIRECT, 'mailer': s.MAILERS['delivery']['BACKEND']}))"
)


def load_settings(tmp_path, probe: str = PROBE, **env) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ["PATH"],
        "LEADFLOW_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "leadflow.settings",
    }
    return subprocess.run(
        [sys.executable, "-c", probe], env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_debug_is_off_and_a_secret_key_is_required_by_default(tmp_path):
    result = load_settings(tmp_path)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required when DEBUG is off" in result.stderr


def test_with_nothing_configured_a_newcomer_gets_sqlite_and_an_on_disk_broker(tmp_path):
    result = load_settings(tmp_path, DJANGO_DEBUG="1")
    config = json.loads(result.stdout)
    assert config["debug"] is True
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["broker"] == "leadflowfs://"  # kombu's filesystem transport, written atomically
    assert config["mailer"] == "django.core.mail.backends.console.EmailBackend"
    assert (tmp_path / "broker" / "queue").is_dir()


def test_database_and_redis_urls_switch_to_postgresql_and_redis(tmp_path):
    result = load_settings(
        tmp_path,
        DJANGO_SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/leadflow",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    config = json.loads(result.stdout)
    assert config["debug"] is False
    assert config["engine"] == "django.db.backends.postgresql"
    assert (config["age"] > 0, config["health"]) == (True, True)
    assert config["broker"] == "redis://127.0.0.1:6379/0"
    assert config["ssl"] is True  # HTTPS hardening is on whenever DEBUG is off


def test_a_malformed_boolean_is_a_clear_error(tmp_path):
    result = load_settings(tmp_path, DJANGO_DEBUG="maybe")
    assert "DJANGO_DEBUG must be a boolean" in result.stderr


RENDERERS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps(s.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES']))"
)


def renderers(tmp_path, **env) -> list[str]:
    return json.loads(load_settings(tmp_path, probe=RENDERERS, **env).stdout)


def test_in_production_the_api_answers_json_only(tmp_path):
    assert renderers(tmp_path, DJANGO_SECRET_KEY="k" * 50) == ["rest_framework.renderers.JSONRenderer"]


def test_with_debug_on_developers_keep_the_browsable_api(tmp_path):
    assert "rest_framework.renderers.BrowsableAPIRenderer" in renderers(tmp_path, DJANGO_DEBUG="1")
