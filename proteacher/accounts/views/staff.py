"""Placeholder, replaced by the real views."""
from django.http import HttpResponse


def staff_list(request):
    return HttpResponse("todo")


staff_create = teacher_list = staff_list
