from django.urls import path
from django.views.generic import RedirectView

from proteacher.certification.views import cases, held, periods, settings, slot_draft, slots, transfer, types

app_name = "certification"
urlpatterns = [
    path("", types.index, name="index"),
    # 教師驗證 step 2 (資料轉移) and 個人資訊 → 認證證號: the certificates a teacher holds
    path("transfer/", transfer.transfer, name="transfer"),
    path("certificates/", held.certificates, name="held"),
    path("certificates/<int:pk>/pdf/", held.certificate_download, name="held_pdf"),
    # 管理者: types, slots and rules
    path("settings/", settings.type_list, name="settings"),
    path("settings/new/", settings.type_new, name="settings_new"),
    path("settings/<slug:type_code>/", settings.type_edit, name="settings_type"),
    path("settings/<slug:type_code>/rules/", settings.rules_edit, name="settings_rules"),
    # 期程設定: 管理者 the national default, 縣市 their county's override
    path("periods/", periods.period_list, name="periods"),
    path("periods/<slug:type_code>/<int:year>/", periods.period_national, name="period_national"),
    path("periods/<slug:type_code>/<int:year>/<slug:county_code>/", periods.period_county, name="period_county"),
    # A teacher's case (流程進度) and its forms
    path("cases/<int:pk>/", cases.case_page, name="case"),
    path("cases/<int:pk>/submit/", cases.submit, name="submit"),
    path("cases/<int:pk>/act/", cases.act, name="act"),
    # 申復 and 查看表單列表 are the back office's pages now; their old addresses still lead there.
    path("cases/<int:pk>/appeal/", RedirectView.as_view(pattern_name="review:appeal", query_string=True)),
    path("cases/<int:pk>/reviews/", RedirectView.as_view(pattern_name="review:reviews")),
    path("cases/<int:pk>/slots/<slug:slot_code>/use/", cases.use_answer, name="slot_use"),
    path("cases/<int:pk>/slots/<slug:slot_code>/discard/", cases.discard_answer, name="slot_discard"),
    path("cases/<int:pk>/slots/<slug:slot_code>/", slots.edit_slot, name="slot_edit"),
    path("cases/<int:pk>/slots/<slug:slot_code>/draft/", slot_draft.autosave, name="slot_draft"),
    path("cases/<int:pk>/slots/<slug:slot_code>/print/", slots.print_slot, name="slot_print"),
    path("cases/<int:pk>/slots/<slug:slot_code>/file/", slots.slot_file, name="slot_file"),
    # One type: eligibility table, 申請, earlier cases
    path("<slug:type_code>/", types.type_page, name="type"),
    path("<slug:type_code>/apply/", types.apply, name="apply"),
]
