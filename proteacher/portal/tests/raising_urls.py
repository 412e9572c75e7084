"""The platform's routes and error pages, and one view that breaks (test_request_id)."""

from django.urls import path

from proteacher.urls import handler500  # noqa: F401 (handler500: the platform's own)
from proteacher.urls import urlpatterns as platform


def broken(request):
    raise RuntimeError("the view broke")


urlpatterns = [*platform, path("broken/", broken)]
