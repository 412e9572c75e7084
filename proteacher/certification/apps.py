from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "proteacher.certification"

    def ready(self) -> None:
        from proteacher.certification import submission, workflow

        # 送出審查文件 sends only a case whose every slot holds a complete answer.
        workflow.register_side_effect("submit", submission.require_every_slot_complete)
