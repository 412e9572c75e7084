from django.urls import path

from proteacher.review.views import (
    appeal,
    assignment,
    audit_log,
    certificates,
    committee_forms,
    decisions,
    imports,
    issuing,
    office,
    outgoing_mail,
    queue,
    reviewer,
    rounds,
    viewed,
)

app_name = "review"
urlpatterns = [
    # 縣市 / 管理者: queues, the case as the office sees it, 形式審查, decisions, appeals
    path("", queue.queue, name="queue"),
    path("export.xlsx", queue.export, name="export"),
    path("cases/<int:pk>/", office.case_view, name="case"),
    path("cases/<int:pk>/slots/<slug:slot_code>/print/", office.slot_print, name="slot_print"),
    path("cases/<int:pk>/slots/<slug:slot_code>/file/", office.slot_file, name="slot_file"),
    path("cases/<int:pk>/formal/", decisions.formal_review, name="formal"),
    path("cases/<int:pk>/decide/", decisions.decide, name="decide"),
    path("cases/<int:pk>/appeal-intake/", decisions.appeal_intake, name="appeal_intake"),
    path("cases/<int:pk>/extend/", decisions.extend_deadline, name="extend_deadline"),
    # An issued case's certificate: its PDF, 撤銷證書 / 恢復證書
    path("cases/<int:pk>/certificate.pdf", certificates.certificate_download, name="certificate_pdf"),
    path("cases/<int:pk>/certificate/status/", certificates.certificate_status, name="certificate_status"),
    # 分發委員
    path("cases/<int:pk>/assign/", assignment.assign, name="assign"),
    path(
        "cases/<int:pk>/assignments/<int:assignment_id>/extend/",
        assignment.extend_review_due,
        name="extend_review_due",
    ),
    path("assign/", assignment.assign_queue, name="assign_queue"),
    path("reviewers/", assignment.reviewer_list, name="reviewers"),
    path("reviewers/<int:pk>/", assignment.reviewer_edit, name="reviewer_edit"),
    # 委員
    path("my/", reviewer.my_cases, name="my_cases"),
    path("my/<int:assignment_id>/", reviewer.review_form, name="review_form"),
    # The teacher's side of review, from 流程進度: 查看表單列表 and 申復 (the office reads both)
    path("cases/<int:pk>/reviews/", committee_forms.reviews, name="reviews"),
    path("cases/<int:pk>/appeal/", appeal.appeal, name="appeal"),
    path("cases/<int:pk>/appeal/send/", appeal.send, name="appeal_send"),
    # 送審紀錄: each send as it was frozen, and what changed since the round before
    path("cases/<int:pk>/sent/", rounds.submission_list, name="submissions"),
    path("cases/<int:pk>/sent/<int:number>/compare/", rounds.compare, name="compare"),
    path("cases/<int:pk>/sent/<int:number>/<slug:slot_code>/print/", rounds.submission_print, name="submission_print"),
    path("cases/<int:pk>/sent/<int:number>/<slug:slot_code>/file/", rounds.submission_file, name="submission_file"),
    # 檢視紀錄: who looked at the teacher's forms and files (the teacher's own page)
    path("cases/<int:pk>/viewed/", viewed.viewed_page, name="viewed"),
    # 管理者: 通過 → 通過可產證 → 已發證
    path("issuing/", issuing.issuing, name="issuing"),
    path("issuing/batches/<int:pk>/", issuing.issuing_batch, name="issuing_batch"),
    path("issuing/batches/<int:pk>/progress/", issuing.issuing_batch_progress, name="issuing_batch_progress"),
    # 管理者: 稽核紀錄
    path("audit/", audit_log.audit_log_page, name="audit_log"),
    # 管理者: 寄送失敗郵件 and 重新寄送
    path("mail/", outgoing_mail.outgoing_mail, name="outgoing_mail"),
    path("mail/resend/", outgoing_mail.resend, name="mail_resend"),
    # 管理者: 資料匯入 (master data and the reviewer roster), checked and loaded by the worker
    path("imports/", imports.imports_page, name="imports"),
    path("imports/samples/<slug:kind>/", imports.import_sample, name="import_sample"),
    path("imports/<int:pk>/", imports.import_run, name="import_run"),
    path("imports/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/file/", imports.import_file, name="import_file"),
]
