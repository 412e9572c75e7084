"""委員不足: a round given fewer 委員 than REVIEWERS_PER_CASE.

When conflicts (the teacher, a colleague at the teacher's school, a paused 委員) leave fewer 委員
than the count, the assignment pages say so before saving; such a panel is assigned only with
the officer's confirmation, which the assignment's event keeps; the queue marks the short rounds.
"""

from dataclasses import dataclass, field

from proteacher.accounts.models import User
from proteacher.certification.models import Case
from proteacher.errors import DomainError

# The box an officer ticks to assign fewer 委員 than the count on purpose (one case or a queue).
CONFIRM_FIELD = "short_confirmed"
CONFIRM_LABEL = "確認委員人數不足，仍要分發"


@dataclass
class Shortage:
    """A case for which fewer 委員 than `required` may be chosen, and why the others may not."""

    case: Case
    required: int
    eligible: int
    excluded: list[tuple[User, str]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"需 {self.required} 位委員，僅 {self.eligible} 位可分發"

    @property
    def reasons(self) -> str:
        return "、".join(f"{user}（{reason}）" for user, reason in self.excluded)


class ShortPanel(DomainError):
    """A panel short of 委員 was posted without the confirmation; `shortages` names the cases of a queue."""

    def __init__(self, message: str, shortages: list[Shortage] | None = None):
        super().__init__(message)
        self.shortages = shortages or []


def mark(assigned: int | None, required: int) -> str:
    """The queue's mark of a round short of 委員 (委員不足（1/2）); "" for a full panel or none (None)."""
    return f"委員不足（{assigned}/{required}）" if assigned is not None and assigned < required else ""


def refusal(chosen: int, required: int) -> str:
    return (
        f"本案應分發 {required} 位委員，目前只選擇 {chosen} 位。"
        f"如確定以較少的委員審查，請勾選「{CONFIRM_LABEL}」後再送出。"
    )


def queue_refusal(count: int, required: int) -> str:
    return (
        f"有 {count} 件申請可分發的委員不足 {required} 位（原因見下表），尚未分發任何申請。"
        f"如確定以較少的委員審查，請勾選「{CONFIRM_LABEL}」後再送出。"
    )


def audit(required: int, assigned: int, eligible: int, excluded: list[tuple[User, str]]) -> dict:
    """What the assignment's event keeps of a confirmed short panel."""
    return {
        "confirmed": True,
        "required": required,
        "assigned": assigned,
        "eligible": eligible,
        "excluded": [{"reviewer": user.pk, "name": str(user), "reason": reason} for user, reason in excluded],
    }
