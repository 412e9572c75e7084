"""The platform's public key for its digital credentials, mounted at /.well-known/ (proteacher/urls.py):
a JWKS and the did:web document of the issuer the credentials name (certification.credential)."""

from django.urls import path

from proteacher.certification.views import verify

app_name = "well_known"
urlpatterns = [
    path("jwks.json", verify.jwks, name="jwks"),
    path("did.json", verify.did_document, name="did"),
]
