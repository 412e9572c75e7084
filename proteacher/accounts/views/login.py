"""Placeholder, replaced by the real views."""
from django.contrib.auth import views as auth_views
from django.http import HttpResponse


def login_page(request):
    return HttpResponse("login")


def logout_view(request):
    return HttpResponse("logout")


PasswordReset = auth_views.PasswordResetView
PasswordResetDone = auth_views.PasswordResetDoneView
PasswordResetConfirm = auth_views.PasswordResetConfirmView
PasswordResetComplete = auth_views.PasswordResetCompleteView
