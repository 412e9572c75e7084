from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "proteacher.portal"

    def ready(self):
        # The deployment check that the development key is not in use (check --deploy).
        from proteacher import secret_key  # noqa: F401
