from django.urls import include, path

urlpatterns = [
    path("", include("proteacher.portal.urls")),
    path("accounts/", include("proteacher.accounts.urls")),
    path("accounts/passkeys/", include("proteacher.accounts.passkey_urls")),
    path("certification/", include("proteacher.certification.urls")),
    path("registry/", include("proteacher.registry.urls")),
    path("documents/", include("proteacher.documents.urls")),
    path("review/", include("proteacher.review.urls")),
    path("statistics/", include("proteacher.review.statistics_urls")),
    path("messages/", include("proteacher.notifications.urls")),
]
