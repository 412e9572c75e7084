"""The platform's URLs and, for the benchmark only, a bare Django list page on the same server.

The bare page is what any Django site pays for one page: 20 rows of a query with a join, rendered
through a small template, behind the same middleware. The platform's pages are measured against it.
"""

from django.shortcuts import render
from django.urls import include, path

from proteacher.certification.models import Case


def bare_list(request):
    cases = Case.objects.select_related("teacher", "certification_type").order_by("pk")[:20]
    return render(request, "bench_bare_list.html", {"cases": cases})


urlpatterns = [
    path("bench/bare/", bare_list),
    path("", include("proteacher.urls")),
]
