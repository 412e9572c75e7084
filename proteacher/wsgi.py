import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proteacher.settings")
application = get_wsgi_application()

from proteacher.secret_key import refuse_development_key  # noqa: E402 (needs the settings loaded above)

refuse_development_key()
