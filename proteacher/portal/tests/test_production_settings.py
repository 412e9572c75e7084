"""Production posture: README's production variables pass `check --deploy` at warning level, HTTPS
is enforced behind them, the platform refuses to start with DEBUG off and the development key, and
the deployment check warns when no key signs the certificates' digital credentials."""

import json
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

from proteacher.certification import credential_keys

README = settings.BASE_DIR / "README.md"
# Prints the settings the environment gave; run in a child process, as a server starts.
SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in ('SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
    "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE')}))"
)


def readme_production_variables(tmp_path) -> dict[str, str]:
    """The NAME=value lines of README's "Production variables" block, with a fresh random key and a
    fresh credential signing key in a file of its own."""
    text = README.read_text(encoding="utf-8")
    block = text.split("### Production variables", 1)[1].split("```", 2)[1]
    variables = dict(re.findall(r"^([A-Z_]+)=(\S*)", block, flags=re.MULTILINE))
    variables["SECRET_KEY"] = secrets.token_urlsafe(50)
    key_file = tmp_path / "credential-signing-key.pem"
    key_file.write_text(credential_keys.new_private_pem(), encoding="utf-8")
    variables["CREDENTIAL_SIGNING_KEY_FILE"] = str(key_file)
    return variables


def run(args, tmp_path, **variables):
    """A child process started as on a server: only the given variables, nothing the test run set
    (its key, the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE, which the deployment check refuses)."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    env.update(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="proteacher.settings", **variables)
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_readme_lists_the_production_variables(tmp_path):
    assert set(readme_production_variables(tmp_path)) >= {
        "DEBUG",
        "SECRET_KEY",
        "SITE_URL",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "BEHIND_HTTPS_PROXY",
        "CREDENTIAL_SIGNING_KEY_FILE",
    }


def test_the_deployment_check_passes_at_warning_level_with_the_readme_variables(tmp_path):
    variables = readme_production_variables(tmp_path)

    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **variables)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_behind_https_every_request_is_https_for_a_year(tmp_path):
    done = run(["-c", SHOW], tmp_path, **readme_production_variables(tmp_path))

    assert json.loads(done.stdout) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def test_on_a_development_machine_plain_http_stays_plain(tmp_path):
    done = run(["-c", SHOW], tmp_path, DEBUG="1")

    shown = json.loads(done.stdout)
    assert shown["SECURE_SSL_REDIRECT"] is False and shown["SECURE_HSTS_SECONDS"] == 0


@pytest.mark.parametrize(
    "start",
    [
        ["-c", "import proteacher.wsgi"],  # gunicorn, and runserver, load the application from here
        ["manage.py", "run_worker", "--once"],
    ],
)
def test_it_refuses_to_start_with_debug_off_and_the_development_key(tmp_path, start):
    done = run(start, tmp_path, DEBUG="0")

    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set and DEBUG is off" in done.stderr
    assert "secrets.token_urlsafe(50)" in done.stderr


def test_the_deployment_check_reports_the_development_key(tmp_path):
    done = run(["manage.py", "check", "--deploy"], tmp_path, DEBUG="0")

    assert done.returncode != 0
    assert "(proteacher.E001) SECRET_KEY is not set and DEBUG is off" in done.stderr


def test_the_deployment_check_warns_without_a_credential_signing_key(tmp_path):
    variables = readme_production_variables(tmp_path)
    del variables["CREDENTIAL_SIGNING_KEY_FILE"]

    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **variables)

    assert done.returncode != 0
    assert "(proteacher.W001) CREDENTIAL_SIGNING_KEY is not set and DEBUG is off" in done.stderr
    # Nothing was generated in its place: a production server signs with the key it was given or none.
    assert not (tmp_path / "credential-key.pem").exists()


def test_commands_that_serve_nothing_run_without_a_key(tmp_path):
    done = run(["manage.py", "makemigrations", "--check", "--dry-run"], tmp_path, DEBUG="0")

    assert done.returncode == 0, done.stderr
    assert "No changes detected" in done.stdout


def test_it_starts_with_the_development_key_while_debug_is_on(tmp_path):
    done = run(["manage.py", "check"], tmp_path, DEBUG="1")

    assert done.returncode == 0, done.stderr
