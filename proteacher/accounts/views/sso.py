"""Placeholder, replaced by the real views."""
from django.http import HttpResponse


def start(request):
    return HttpResponse("todo")


callback = dev_identity = start
