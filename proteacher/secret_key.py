"""No server signs anything with the development key.

The key signs sessions, CSRF tokens and password-reset links, and the built-in one is published
with the code. With DEBUG off and no SECRET_KEY the web server (proteacher/wsgi.py, which
runserver loads too) and the worker refuse to start, and `check --deploy` reports it. Commands
that serve nothing (makemigrations, migrate, collectstatic) still run, so a build step needs no key.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

REFUSAL = (
    "SECRET_KEY is not set and DEBUG is off: the built-in development key would let anyone forge "
    "sessions and password-reset links. Set SECRET_KEY (or SECRET_KEY_FILE) to a long random value, "
    'e.g. the output of: python -c "import secrets; print(secrets.token_urlsafe(50))"; '
    "on a development machine set DEBUG=1 instead."
)


def development_key_in_production() -> bool:
    return not settings.DEBUG and settings.SECRET_KEY == settings.INSECURE_SECRET_KEY


def refuse_development_key() -> None:
    if development_key_in_production():
        raise ImproperlyConfigured(REFUSAL)


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    return [Error(REFUSAL, id="proteacher.E001")] if development_key_in_production() else []
