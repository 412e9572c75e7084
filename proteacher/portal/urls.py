from django.urls import path

from proteacher.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("workspace/", views.workspace, name="workspace"),
    path("downloads/", views.downloads, name="downloads"),
    path("help/", views.help_index, name="help"),
    path("accessibility/", views.accessibility, name="accessibility"),
    # 個人資訊 → 下載個人資料: everything the platform holds about the signed-in teacher, as one ZIP
    path("personal-data/", views.personal_data, name="personal_data"),
]
