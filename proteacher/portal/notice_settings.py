"""通知設定: the page's form and what it lists. It lives in portal because it reads both sides: the
workflow table says which notices are optional (certification), notifications keeps the choice."""

from django import forms

from proteacher.accounts.login_forms import BootstrapFormMixin
from proteacher.certification import workflow
from proteacher.notifications.models import Delivery
from proteacher.notifications.preferences import CHOOSE_ONE
from proteacher.text import CleanTextMixin

# A notice's title with the type's names as placeholders, so the list reads for every type.
_ANY_TYPE = {"type": "○○認證", "short": "○○認證", "training": "○○"}

# What the page promises in plain words: the notices with legal weight (Notice.optional False).
ALWAYS_EMAILED = "審查結果、退件、申復期限、證書撤銷及各項期限通知一律立即以電子郵件寄送，不受此設定影響。"


def optional_notices() -> list[str]:
    """The titles of the workflow's optional notices, in the table's order, each once."""
    titles = []
    for step in workflow.TRANSITIONS:
        notice = step.notice
        if notice is not None and notice.optional:
            title = notice.title.format(**_ANY_TYPE)
            if title not in titles:
                titles.append(title)
    return titles


class NoticeSettingsForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    delivery = forms.ChoiceField(
        label="選擇性通知的寄送方式",
        choices=Delivery.choices,
        widget=forms.RadioSelect,
        error_messages={"required": CHOOSE_ONE, "invalid_choice": CHOOSE_ONE},
    )
