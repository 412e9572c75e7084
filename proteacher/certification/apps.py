from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def _install_shipped_types(sender, apps=global_apps, **kwargs):
    # migrate passes the migrated state's apps; flush sends the signal without them.
    from proteacher.certification import defaults

    defaults.install(
        apps.get_model("certification", "CertificationType"),
        apps.get_model("certification", "FormSlot"),
        apps.get_model("certification", "RuleSet"),
    )


class CertificationConfig(AppConfig):
    name = "proteacher.certification"

    def ready(self) -> None:
        # The shipped types, slots and rules come back after a flush (tests on an emptied
        # database) and appear on a new database; edits made since are never overwritten.
        post_migrate.connect(_install_shipped_types, sender=self)
