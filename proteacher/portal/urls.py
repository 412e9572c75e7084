from django.urls import path

from proteacher.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("workspace/", views.workspace, name="workspace"),
    path("downloads/", views.downloads, name="downloads"),
    path("help/", views.help_index, name="help"),
]
