"""教師驗證 step 2, 資料轉移: the old system's certificates, imported or declined; either answer
completes 教師驗證 (step 1 is accounts')."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from proteacher.accounts import verification
from proteacher.accounts.decorators import teacher_required
from proteacher.accounts.verification import Decision, VerificationError
from proteacher.certification import transfer as services

# The progress bar of 教師驗證: 2 資料轉移 on show, or (nothing to transfer) both steps ticked.
STEP_TRANSFER, STEP_DONE = 2, 3


@teacher_required
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest) -> HttpResponse:
    """Step 2 資料轉移: offer the old system's certificates; the answer completes 教師驗證."""
    profile = verification.profile_of(request.user)
    if request.method == "POST":
        # Run even when already verified: the second click of a double click lands where the first did.
        try:
            result = services.complete_transfer(request.user, request.POST.get("decision", ""))
        except VerificationError as error:
            messages.error(request, error.message)
            return redirect(verification.where_to_continue(profile))
        if not result.already_done:
            _tell_transfer_result(request, result)
        return redirect("certification:held" if result.has_certificates else "certification:index")

    if profile.is_verified:
        return redirect("accounts:profile")
    if not verification.email_proven(profile):
        messages.info(request, "請先完成Email驗證。")
        return redirect(verification.where_to_continue(profile))
    rows = services.old_certificates(request.user)
    context = {"rows": rows, "step": STEP_TRANSFER if rows else STEP_DONE, "decision": Decision}
    return render(request, "certification/transfer.html", context)


def _tell_transfer_result(request: HttpRequest, result: services.TransferResult) -> None:
    if result.decision == Decision.IMPORT:
        messages.success(request, f"教師驗證完成，已匯入 {result.matched} 筆認證證號。")
    elif result.decision == Decision.DECLINE:
        messages.success(request, "教師驗證完成，舊系統資料未匯入。如需補登，請聯繫教師專業發展支持作業平臺工作小組。")
    else:
        messages.success(request, "教師驗證完成。")
    if result.unknown:
        rows = "、".join(f"{row.academic_year} {row.kind} {row.number}".strip() for row in result.unknown)
        messages.warning(request, f"下列證號類別無法辨識，未能匯入，請與系統管理者聯絡補正：{rows}")
