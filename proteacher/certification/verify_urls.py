"""證書查驗, mounted at /verify/ (proteacher/urls.py): public, no sign-in."""

from django.urls import path

from proteacher.certification.views import verify

app_name = "verify"
urlpatterns = [
    path("", verify.by_number, name="form"),
    path("<str:code>/", verify.by_code, name="code"),
]
