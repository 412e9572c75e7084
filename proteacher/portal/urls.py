from django.urls import path

from proteacher.portal import health, metrics, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("workspace/", views.workspace, name="workspace"),
    path("downloads/", views.downloads, name="downloads"),
    path("help/", views.help_index, name="help"),
    path("accessibility/", views.accessibility, name="accessibility"),
    # 個人資訊 → 下載個人資料: everything the platform holds about the signed-in teacher, as one ZIP
    path("personal-data/", views.personal_data, name="personal_data"),
    # 通知設定: how one's optional notices are emailed (個人資訊 for a teacher, 功能專區 for staff)
    path("notice-settings/", views.notice_settings_page, name="notice_settings"),
    # For load balancers and monitoring, answered before the session (portal.probes): README, Health and metrics
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
]
