from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def _install_counties(sender, apps=global_apps, **kwargs):
    # migrate passes the migrated state's apps; flush sends the signal without them.
    from proteacher.registry import counties

    counties.install(apps.get_model("registry", "County"))


class RegistryConfig(AppConfig):
    name = "proteacher.registry"

    def ready(self) -> None:
        # After every migrate, and after a flush (tests on an emptied database), the 22 counties
        # are there again: every rule and certificate number needs them.
        post_migrate.connect(_install_counties, sender=self)
