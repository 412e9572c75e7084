from django.urls import include, path

from proteacher.api import views
from proteacher.api.calls import audited_patterns
from proteacher.api.v1 import api

patterns, app_name, namespace = api.urls

app_name = "api"
urlpatterns = [
    # 管理者: API 權杖
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/new/", views.token_new, name="token_new"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("v1/", include((audited_patterns(patterns), "ninja"), namespace=namespace)),
]
