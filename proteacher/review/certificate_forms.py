"""管理者's 撤銷證書 / 恢復證書 form on the office's case page (certification.certificate_services)."""

from django import forms

from proteacher.accounts.login_forms import BootstrapFormMixin
from proteacher.certification import revocation, workflow
from proteacher.review.forms import REASON_WIDGET, RevisionMixin

CHOOSE_ACTION = "請按「撤銷證書」或「恢復證書」。"


class CertificateStatusForm(BootstrapFormMixin, RevisionMixin):
    action = forms.ChoiceField(
        choices=[(action, workflow.label_of(action)) for action in ("revoke", "restore")],
        widget=forms.HiddenInput,
        error_messages={"required": CHOOSE_ACTION, "invalid_choice": CHOOSE_ACTION},
    )
    category = forms.ChoiceField(
        label="撤銷原因類別",
        required=False,
        choices=[("", "請選擇")] + list(revocation.CATEGORIES.choices),
        error_messages={"invalid_choice": revocation.NO_CATEGORY},
    )
    reason = forms.CharField(label="原因訊息", required=False, max_length=2000, widget=REASON_WIDGET)

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == "revoke" and not cleaned.get("category"):
            self.add_error("category", revocation.NO_CATEGORY)
        step = workflow.BY_ACTION.get(action or "")
        if step is not None and step.reason_required and not cleaned.get("reason", "").strip():
            self.add_error("reason", step.reason_required.format(label=step.label))
        return cleaned
