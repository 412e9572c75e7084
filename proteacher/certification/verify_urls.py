"""證書查驗, mounted at /verify/ (proteacher/urls.py): public, no sign-in."""

from django.urls import path

from proteacher.certification.views import verify

app_name = "verify"
urlpatterns = [
    path("", verify.by_number, name="form"),
    # Before <code>/: "credential" is no code (codes have 16 to 32 characters) but reads clearer.
    path("credential/", verify.credential_upload, name="credential_upload"),
    path("<str:code>/", verify.by_code, name="code"),
    path("<str:code>/credential.jwt", verify.credential_download, name="credential"),
    path("<str:code>/status.json", verify.status, name="status"),
]
