"""API 權杖 (管理者): the tokens issued, 新增 (the token shown once) and 撤銷."""

import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.api import tokens
from proteacher.api.forms import ApiTokenForm
from proteacher.api.models import ApiToken
from proteacher.errors import DomainError


@roles_required(Role.ADMIN)
@require_safe
def token_list(request):
    found = ApiToken.objects.select_related("county", "created_by", "revoked_by")
    return render(request, "api/token_list.html", {"tokens": found, "now": timezone.now()})


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` in Asia/Taipei: the token works through the whole day."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def token_new(request):
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, raw = tokens.issue(
                name=data["name"],
                county=data["county"],
                scopes=data["scopes"],
                expires_at=_end_of(data["expires_on"]),
                rate_limit_per_minute=data["rate_limit_per_minute"],
                actor=request.user,
            )
        except DomainError as refused:
            form.add_error(None, refused.message)
        else:
            # Shown on this answer only (never stored, never in a redirect), so a reload shows it no more.
            return render(request, "api/token_issued.html", {"token": token, "raw": raw})
    return render(request, "api/token_new.html", {"form": form}, status=400 if form.errors else 200)


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken.objects.select_related("county"), pk=pk)
    if request.method == "POST":
        if tokens.revoke(token, actor=request.user):
            messages.success(request, f"已撤銷 API 權杖「{token.name}」，使用它的呼叫立即失效。")
        else:
            messages.info(request, f"API 權杖「{token.name}」已經撤銷過了。")
        return redirect("api:tokens")
    return render(request, "api/token_revoke.html", {"token": token})
