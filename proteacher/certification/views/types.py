from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from proteacher.certification.models import CertificationType


@login_required
def index(request):
    """認證專區: a card per certification type. Teachers must finish 教師驗證 first."""
    user = request.user
    if user.is_teacher:
        profile = getattr(user, "profile", None)
        if profile is None or not profile.is_verified:
            messages.info(request, "請先完成教師驗證，才能進入認證專區。")
            return redirect("accounts:verify")
    return render(request, "certification/index.html", {"types": CertificationType.objects.all()})


def type_page(request, type_code):
    raise NotImplementedError


def apply(request, type_code):
    raise NotImplementedError
