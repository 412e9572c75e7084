from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "proteacher.notifications"

    def ready(self) -> None:
        from proteacher.certification import workflow
        from proteacher.notifications import services

        # Every case event reaches the catalogue inside transition()'s transaction.
        if services.notify_case_event not in workflow.EVENT_LISTENERS:
            workflow.EVENT_LISTENERS.append(services.notify_case_event)
