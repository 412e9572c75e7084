"""Who a token reads as: the same scope the pages give a signed-in officer.

A county system's token is a 縣市 of its county, a national system's a 管理者, and the selectors
the pages use (review.selectors, certification.selectors) decide what it sees.
"""

from dataclasses import dataclass

from proteacher.accounts.models import Role
from proteacher.api.models import ApiToken


@dataclass(frozen=True)
class TokenViewer:
    role: str
    county_id: int | None
    # Not a user: no account's own records (a teacher's cases, a 委員's assignments) are its.
    pk: None = None
    is_authenticated: bool = True


def viewer_of(token: ApiToken) -> TokenViewer:
    if token.county_id is not None:
        return TokenViewer(role=Role.COUNTY, county_id=token.county_id)
    return TokenViewer(role=Role.ADMIN, county_id=None)
