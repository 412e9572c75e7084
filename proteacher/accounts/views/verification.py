"""Placeholder, replaced by the real views."""
from django.http import HttpResponse


def fill_in(request):
    return HttpResponse("todo")


email_code = resend_code = transfer = fill_in
