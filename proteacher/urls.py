from django.urls import include, path

urlpatterns = [
    path("", include("proteacher.portal.urls")),
    path("accounts/", include("proteacher.accounts.urls")),
    path("accounts/passkeys/", include("proteacher.accounts.passkey_urls")),
    path("certification/", include("proteacher.certification.urls")),
    # 學校專區: a 學校承辦人's 認證總表 and the 推薦表 the school fills
    path("school/", include("proteacher.certification.school_urls")),
    # 證書查驗: public, the address in each certificate's QR code
    path("verify/", include("proteacher.certification.verify_urls")),
    # The key that signs the certificates' digital credentials (JWKS, did:web): public
    path(".well-known/", include("proteacher.certification.well_known_urls")),
    path("registry/", include("proteacher.registry.urls")),
    path("documents/", include("proteacher.documents.urls")),
    path("review/", include("proteacher.review.urls")),
    path("statistics/", include("proteacher.review.statistics_urls")),
    path("messages/", include("proteacher.notifications.urls")),
    # The API for county and national systems (/api/v1/) and 管理者's API 權杖 pages.
    path("api/", include("proteacher.api.urls")),
]

# The Chinese error page, with the request's id to quote (proteacher/request_id.py).
handler500 = "proteacher.request_id.server_error"
