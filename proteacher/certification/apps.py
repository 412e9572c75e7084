from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def _install_shipped_types(sender, apps=global_apps, **kwargs):
    # migrate passes the migrated state's apps; flush sends the signal without them.
    from proteacher.certification import defaults

    certification_type = apps.get_model("certification", "CertificationType")
    defaults.install(
        certification_type, apps.get_model("certification", "FormSlot"), apps.get_model("certification", "RuleSet")
    )
    try:
        route = apps.get_model("certification", "ApplicationRoute")
    except LookupError:  # migrated back to before the routes
        return
    defaults.install_routes(certification_type, route)


class CertificationConfig(AppConfig):
    name = "proteacher.certification"

    def ready(self) -> None:
        # The shipped types, slots, rules and routes come back after a flush (tests on an emptied
        # database) and appear on a new database; edits made since are never overwritten.
        post_migrate.connect(_install_shipped_types, sender=self)
        # A type's slots are kept per process until one of them changes (slot_cache).
        from proteacher.certification import slot_cache

        slot_cache.connect()
        # check --deploy: the key of the digital credentials.
        from proteacher.certification import credential_keys  # noqa: F401
