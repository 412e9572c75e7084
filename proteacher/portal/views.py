from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from proteacher.accounts.models import Role


def home(request):
    return render(request, "portal/home.html")


@login_required
def workspace(request):
    """功能專區: each role's own tools."""
    return render(request, "portal/workspace.html", {"Role": Role})


@login_required
def notifications(request):
    return render(request, "portal/notifications.html")


def downloads(request):
    return render(request, "portal/downloads.html")


def help_index(request):
    return render(request, "portal/help.html")
