from django.apps import AppConfig

# How often the worker looks for appeal windows that have closed. A case waits at most this long
# after its deadline before it reads 不合格; the 申復 button is gone at the deadline itself.
APPEAL_WINDOW_JOB_SECONDS = 300


class ReviewConfig(AppConfig):
    name = "proteacher.review"

    def ready(self) -> None:
        from proteacher.certification import submission, workflow
        from proteacher.review import appeals, issuing
        from proteacher.worker import register_job

        # The revise loops send the forms again: the same completeness check as 送出審查文件.
        workflow.register_side_effect("resubmit", submission.require_every_slot_complete)
        workflow.register_side_effect("appeal_resubmit", submission.require_every_slot_complete)

        # 初審未通過 / 複審未通過 open the 10-day appeal window; leaving those states closes it.
        workflow.register_side_effect("first_fail", appeals.open_window)
        workflow.register_side_effect("second_fail", appeals.open_window)
        workflow.register_side_effect("appeal", appeals.record_appeal)
        workflow.register_side_effect("appeal", appeals.close_window)
        workflow.register_side_effect("appeal_expire", appeals.close_window)
        register_job(
            "close_expired_appeal_windows", appeals.close_expired_windows, every_seconds=APPEAL_WINDOW_JOB_SECONDS
        )

        # 發證 numbers the certificate in the same transaction as the move to 已發證.
        workflow.register_side_effect("issue", issuing.number_certificate)
