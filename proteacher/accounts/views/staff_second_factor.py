"""帳號管理 → 重設雙因素驗證: 管理者 takes away a staff member's factors (a lost phone or passkey)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from proteacher.accounts import second_factor, selectors
from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.errors import DomainError
from proteacher.posted import posted_number


@require_POST
@roles_required(Role.ADMIN)
def reset(request):
    # Only accounts 帳號管理 lists may be reset; anything else does not exist for this user.
    pk = posted_number(request.POST.get("account")) or 0
    account = get_object_or_404(selectors.staff_visible_to(request.user), pk=pk)
    if account.pk == request.user.pk:
        messages.error(request, "不能重設自己的雙因素驗證，請由其他管理者重設。")
        return redirect("accounts:staff_list")
    try:
        second_factor.reset(account, actor=request.user, request=request)
    except DomainError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"已重設「{account}」的雙因素驗證，該帳號下次登入時須重新設定。")
    return redirect("accounts:staff_list")
