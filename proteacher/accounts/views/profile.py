"""Placeholder, replaced by the real views."""
from django.http import HttpResponse


def basic(request):
    return HttpResponse("todo")


email_code = certificates = training = basic
