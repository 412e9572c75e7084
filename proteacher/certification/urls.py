from django.urls import path

from proteacher.certification import views

app_name = "certification"
urlpatterns = [
    path("", views.index, name="index"),
]
