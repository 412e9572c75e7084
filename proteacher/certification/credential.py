"""A certificate as a machine-readable credential: an Open Badges 3.0 OpenBadgeCredential (a W3C
Verifiable Credential, data model 2.0) signed by the platform's Ed25519 key as a compact JWS
(VC-JOSE-COSE, media type application/vc+jwt). README, 證書與查驗, describes it for verifiers.

The holder appears as on the public verification page: the masked name (黃○試), never the full name
or the email. A salted hash of the full name (OB3's identityHash) would be no better: a Chinese name
is a few characters, so with the first and last characters public (the credential's own status link
shows them) a few thousand guesses find it. The credential says what the page says, signed.

The same certificate in the same state gives the same bytes (Ed25519 signatures are deterministic).
Whether it still holds is the status endpoint's answer (credentialStatus), read live from the
certificate row: a revocation shows there the moment it commits.
"""

import base64
import binascii
import datetime
import json
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import OKPKey

from proteacher.certification.credential_keys import ALGORITHM, public_jwk
from proteacher.certification.models import Certificate
from proteacher.certification.verification import CODE, OLD_SYSTEM_MARK, Outcome, mask_name

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
MEDIA_TYPE = "application/vc+jwt"
ISSUER_NAME = "教育部 教師專業發展支持作業平臺"
# The platform's own status endpoint (/verify/<code>/status.json), a type of its own in the
# credentials context's issuer-dependent vocabulary.
STATUS_TYPE = "CertificateStatusEndpoint"
MAX_BYTES = 64 * 1024
TAIPEI = ZoneInfo("Asia/Taipei")

NOTHING_GIVEN = "請選擇數位憑證檔案，或貼上憑證內容。"
BOTH_GIVEN = "請擇一提供：選擇檔案或貼上內容，不要兩者同時。"
TOO_LARGE = "內容過大（上限 64 KB），請確認選擇的是本平臺下載的數位憑證檔案。"
UNAVAILABLE = "目前無法提供數位憑證服務，請稍後再試或洽平臺管理者。"
MALFORMED = "無法讀取此內容：不是本平臺核發的數位憑證（應為下載的 .jwt 檔案或其完整文字）。"
UNSIGNED = "此憑證沒有數位簽章（alg: none），不予採信。"
OTHER_ALGORITHM = "此憑證的簽章演算法不是本平臺使用的 Ed25519，無法驗證。"
UNKNOWN_KEY = "此憑證並非以本平臺公布的金鑰簽署（金鑰不明），無法驗證。"
BAD_SIGNATURE = "簽章驗證失敗：憑證內容已被更改，或並非本平臺所簽發。"
NOT_FOUND = "簽章正確，但查無此證書。"
NOT_OURS = "簽章正確，但憑證中沒有本平臺的證書查驗碼，無法查驗。"


class CredentialRefused(ValueError):
    """An uploaded credential that does not verify; the message says why, in Chinese."""


@dataclass(frozen=True)
class Verified:
    payload: dict
    code: str


def issuer_id() -> str:
    """did:web for SITE_URL: https://proteacher.moe.edu.tw → did:web:proteacher.moe.edu.tw (a port is
    %3A-encoded). It resolves to /.well-known/did.json when SITE_URL is https. A path in SITE_URL adds
    segments, and did:web then looks for <path>/did.json, which the platform does not serve: the
    JWKS still names the key."""
    site = urlsplit(settings.SITE_URL)
    host = quote(site.netloc, safe="")
    segments = [quote(part, safe="") for part in site.path.split("/") if part]
    return ":".join(["did:web", host, *segments])


def key_id(key: OKPKey) -> str:
    return f"{issuer_id()}#{key.kid}"


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _criteria(certificate: Certificate) -> str:
    kind = certificate.certification_type
    if certificate.source == Certificate.Source.OLD_SYSTEM:
        return f"持證人於原平臺取得{kind.name}，資料由原平臺轉入本平臺（{OLD_SYSTEM_MARK}）。"
    return (
        f"持證人符合{kind.name}之申請資格（含{kind.training_name}培訓研習），所繳交之表件經形式審查"
        "及審查委員審查通過，由教育部核發證書。"
    )


def document(certificate: Certificate) -> dict:
    """The credential (the JWS payload): an OpenBadgeCredential for the certificate."""
    kind = certificate.certification_type
    code = certificate.verify_code
    credential = {
        "@context": CONTEXT,
        "id": _absolute(reverse("verify:code", args=[code])),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": kind.name,
        "issuer": {
            "id": issuer_id(),
            "type": ["Profile"],
            "name": ISSUER_NAME,
            "url": _absolute("/"),
        },
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": mask_name(certificate.teacher.name),
                }
            ],
            "licenseNumber": certificate.number,
            "achievement": {
                "id": _absolute(reverse("certification:type", args=[kind.code])),
                "type": ["Achievement"],
                "achievementType": "Certification",
                "name": kind.name,
                "description": f"教育部{kind.name}證書，證號{certificate.number}。",
                "criteria": {"narrative": _criteria(certificate)},
                "inLanguage": "zh-Hant-TW",
            },
        },
        "credentialStatus": {
            "id": _absolute(reverse("verify:status", args=[code])),
            "type": STATUS_TYPE,
        },
    }
    if certificate.issued_at:
        credential["validFrom"] = _timestamp(certificate.issued_at)
    if certificate.expires_on:
        last_moment = datetime.datetime.combine(certificate.expires_on, datetime.time(23, 59, 59), tzinfo=TAIPEI)
        credential["validUntil"] = last_moment.isoformat()
    return credential


def signed(certificate: Certificate, key: OKPKey) -> str:
    """The credential as a compact JWS (header.payload.signature), application/vc+jwt."""
    header = {"alg": ALGORITHM, "kid": key_id(key), "typ": "vc+jwt", "cty": "vc"}
    payload = json.dumps(document(certificate), ensure_ascii=False, separators=(",", ":"))
    return jws.serialize_compact(header, payload.encode(), key, algorithms=[ALGORITHM])


def published_keys(key: OKPKey) -> dict:
    """The JWKS at /.well-known/jwks.json: the public key alone, its kid as the JWS headers name it."""
    return {"keys": [public_jwk(key) | {"kid": key_id(key)}]}


def did_document(key: OKPKey) -> dict:
    """The did:web document at /.well-known/did.json: the same public key as a verification method."""
    did = issuer_id()
    method = {
        "id": key_id(key),
        "type": "JsonWebKey",
        "controller": did,
        "publicKeyJwk": public_jwk(key) | {"kid": key_id(key)},
    }
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://www.w3.org/ns/cid/v1"],
        "id": did,
        "verificationMethod": [method],
        "assertionMethod": [method["id"]],
    }


def status_document(outcome: str, *, revoked_on: datetime.date | None, expires_on: datetime.date | None) -> dict:
    """The status endpoint's answer: the outcome and its dates, nothing of the holder."""
    answer = {"status": outcome, "label": Outcome(outcome).label, "checked_at": _timestamp(timezone.now())}
    if revoked_on:
        answer["revoked_on"] = revoked_on.isoformat()
    if expires_on:
        answer["valid_until"] = expires_on.isoformat()
    return answer


# --- verifying an uploaded credential --------------------------------------------------------------


def _header_of(token: str) -> dict:
    encoded = token.split(".")[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    # UnicodeDecodeError and JSONDecodeError are ValueErrors; nesting deep enough is a RecursionError.
    except (binascii.Error, ValueError, RecursionError):
        raise CredentialRefused(MALFORMED) from None
    if not isinstance(header, dict):
        raise CredentialRefused(MALFORMED)
    return header


def verify(token: str, key: OKPKey) -> Verified:
    """The payload of a credential this platform signed, and its certificate's code; raises
    CredentialRefused, with the reason, for anything else."""
    token = token.strip()
    if token.count(".") != 2 or not re.fullmatch(r"[A-Za-z0-9_\-.]+", token):
        raise CredentialRefused(MALFORMED)
    header = _header_of(token)
    algorithm = header.get("alg")
    if algorithm in (None, "none", "None", "NONE") or token.endswith("."):
        raise CredentialRefused(UNSIGNED)
    if algorithm != ALGORITHM:
        raise CredentialRefused(OTHER_ALGORITHM)
    # The thumbprint decides: the did:web before it follows SITE_URL, which may have moved since.
    kid = header.get("kid")
    if not isinstance(kid, str) or kid.rpartition("#")[2] != key.kid:
        raise CredentialRefused(UNKNOWN_KEY)
    public = OKPKey.import_key(key.as_dict(private=False))
    try:
        payload = json.loads(jws.deserialize_compact(token, public, algorithms=[ALGORITHM]).payload)
    except BadSignatureError:
        raise CredentialRefused(BAD_SIGNATURE) from None
    except (JoseError, ValueError, RecursionError):
        raise CredentialRefused(MALFORMED) from None
    code = _code_in(payload)
    if not code:
        raise CredentialRefused(NOT_OURS)
    return Verified(payload=payload, code=code)


def _code_in(payload) -> str:
    """The verification code in the credential's status link (/verify/<code>/status.json)."""
    status = payload.get("credentialStatus") if isinstance(payload, dict) else None
    link = status.get("id") if isinstance(status, dict) else None
    if not isinstance(link, str):
        return ""
    try:
        parts = urlsplit(link).path.split("/")
    except ValueError:  # e.g. a malformed IPv6 host
        return ""
    if len(parts) < 4 or parts[-3:-2] != ["verify"] or parts[-1] != "status.json":
        return ""
    return parts[-2] if CODE.fullmatch(parts[-2]) else ""
