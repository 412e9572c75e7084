"""A certificate's digital credential: an Open Badges 3.0 credential signed with the platform's
Ed25519 key, downloaded from the verification page, checked by anyone with the published key (here
with `cryptography` alone, not the joserfc code that signs it), its status read live, and an
uploaded one verified on the page, whatever is uploaded."""

import base64
import datetime
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from joserfc import jws
from joserfc.jwk import OctKey, OKPKey

from proteacher.certification import certificate_services, credential, credential_keys, verification, workflow
from proteacher.certification.models import VerificationLookup
from proteacher.testing import factories
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db


def b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def certificate(teacher):
    return factories.issued_certificate(teacher)


def download(client, certificate) -> str:
    response = client.get(reverse("verify:credential", args=[certificate.verify_code]))
    assert response.status_code == 200
    return response.content.decode()


def upload(client, token: str | bytes, *, as_file=True):
    if as_file:
        raw = token.encode() if isinstance(token, str) else token
        return client.post(reverse("verify:credential_upload"), {"file": SimpleUploadedFile("c.jwt", raw)})
    return client.post(reverse("verify:credential_upload"), {"text": token})


def verifies(public: Ed25519PublicKey, token: str) -> bool:
    """An independent check of a compact JWS: Ed25519 over the ASCII of header.payload."""
    header, payload, signature = token.split(".")
    try:
        public.verify(b64decode(signature), f"{header}.{payload}".encode())
    except InvalidSignature:
        return False
    return True


def test_the_downloaded_credential_verifies_with_the_published_key_and_fails_changed(client, certificate):
    published = client.get(reverse("well_known:jwks"))
    page = client.get(reverse("verify:code", args=[certificate.verify_code])).content.decode()
    link = reverse("verify:credential", args=[certificate.verify_code])
    response = client.get(link)

    assert published.status_code == 200 and published["Content-Type"] == "application/jwk-set+json"
    [jwk] = published.json()["keys"]
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed25519", "Ed25519") and "d" not in jwk
    assert f'href="{link}"' in page and "下載數位憑證" in page
    assert response["Content-Type"] == "application/vc+jwt"
    assert response["Content-Disposition"] == f'attachment; filename="certificate-{certificate.verify_code}.jwt"'
    token = response.content.decode()
    header, payload, _ = token.split(".")
    assert json.loads(b64decode(header)) == {"alg": "Ed25519", "kid": jwk["kid"], "typ": "vc+jwt", "cty": "vc"}
    public = Ed25519PublicKey.from_public_bytes(b64decode(jwk["x"]))
    assert verifies(public, token)

    claims = json.loads(b64decode(payload))
    assert claims["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["issuer"]["id"] == "did:web:127.0.0.1%3A8000" == jwk["kid"].split("#")[0]
    assert claims["issuer"]["name"] == "教育部 教師專業發展支持作業平臺"
    assert claims["validFrom"] == "2026-12-05T10:00:00Z" and "validUntil" not in claims
    subject = claims["credentialSubject"]
    assert subject["licenseNumber"] == "臺北證號第B115000001號"
    assert subject["achievement"]["name"] == "進階專業回饋人才認證"
    assert "審查委員審查通過" in subject["achievement"]["criteria"]["narrative"]
    assert subject["identifier"] == [
        {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": "黃○試"}
    ]
    code = certificate.verify_code
    assert claims["credentialStatus"]["id"] == f"http://127.0.0.1:8000/verify/{code}/status.json"
    # Nothing of the holder beyond what the verification page shows.
    text = b64decode(payload).decode()
    assert certificate.teacher.name not in text and certificate.teacher.email not in text

    # One character changed in the payload part, or in the claims themselves: it no longer verifies.
    flipped = payload[:20] + ("A" if payload[20] != "A" else "B") + payload[21:]
    assert not verifies(public, f"{header}.{flipped}.{token.split('.')[2]}")
    forged = b64encode(b64decode(payload).replace(b"B115000001", b"B115000002"))
    assert forged != payload
    assert not verifies(public, f"{header}.{forged}.{token.split('.')[2]}")


def test_the_same_certificate_gives_the_same_credential(client, certificate):
    assert download(client, certificate) == download(client, certificate)


def test_a_certificate_with_an_end_date_says_until_when(client, teacher):
    certificate = factories.issued_certificate(teacher, expires_on=datetime.date(2036, 12, 4))

    claims = json.loads(b64decode(download(client, certificate).split(".")[1]))

    assert claims["validUntil"] == "2036-12-04T23:59:59+08:00"


def test_an_old_system_certificate_has_a_credential_marked_as_imported(client, teacher):
    old = factories.certificate(teacher)

    claims = json.loads(b64decode(download(client, old).split(".")[1]))

    assert claims["credentialSubject"]["licenseNumber"] == "A104000811"
    assert "舊系統匯入紀錄" in claims["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert "validFrom" not in claims  # imported without a date of issue


def test_an_uploaded_credential_verifies_as_a_file_or_pasted(client, certificate):
    token = download(client, certificate)

    for response in (upload(client, token), upload(client, token, as_file=False)):
        html = response.content.decode()
        assert response.status_code == 200
        assert "驗證成功" in html and "證書目前狀態：<strong>有效</strong>" in html
        assert "臺北證號第B115000001號" in html and "黃○試" in html


def test_revocation_shows_at_once_in_the_status_and_the_upload(client, teacher, admin_user):
    case = advance(factories.case(teacher, "advanced"), workflow.State.ISSUED, admin_user)
    certificate = case.certificate
    token = download(client, certificate)
    status_url = reverse("verify:status", args=[certificate.verify_code])
    assert client.get(status_url).json()["status"] == "valid"

    certificate_services.revoke(case, admin_user, "other", "原因。")

    status = client.get(status_url)
    html = upload(client, token).content.decode()
    assert status.status_code == 200 and "no-cache" in status["Cache-Control"]
    assert status.json()["status"] == "revoked" and status.json()["label"] == "已撤銷"
    assert status.json()["revoked_on"] == timezone.localdate().isoformat()
    assert "驗證成功" in html and "證書目前狀態：<strong>已撤銷</strong>" in html
    # A revoked certificate's page still offers its credential (which now says revoked via its status).
    page = client.get(reverse("verify:code", args=[certificate.verify_code])).content.decode()
    assert "下載數位憑證" in page


def test_an_expired_certificate_reads_expired(client, teacher, time_machine):
    certificate = factories.issued_certificate(teacher, expires_on=datetime.date(2036, 12, 4))
    token = download(client, certificate)
    time_machine.move_to("2036-12-05 00:01:00+08:00")

    status = client.get(reverse("verify:status", args=[certificate.verify_code])).json()
    html = upload(client, token).content.decode()

    assert status["status"] == "expired" and status["valid_until"] == "2036-12-04"
    assert "證書目前狀態：<strong>已過期</strong>" in html


def test_the_status_says_nothing_of_the_holder(client, certificate):
    body = client.get(reverse("verify:status", args=[certificate.verify_code])).content.decode()

    assert json.loads(body)["status"] == "valid"
    teacher = certificate.teacher
    for private in (teacher.name, "黃○試", teacher.email, teacher.username, certificate.number):
        assert private not in body


@pytest.mark.parametrize(("code", "expected"), [("A" * 22, 404), ("x", 400), ("黃" * 20, 400)])
def test_the_status_of_no_certificate(client, code, expected):
    response = client.get(f"/verify/{code}/status.json")

    assert response.status_code == expected
    assert response.json() in ({"status": "unknown", "label": "查無此證書"}, {"error": verification.BAD_CODE})


NOT_UTF8 = b'{"alg": "\xff"}'


def _other_key() -> OKPKey:
    return credential_keys.parse(credential_keys.new_private_pem())


def _jws(header: dict, payload: bytes, signature: bytes = b"") -> str:
    return ".".join([b64encode(json.dumps(header).encode()), b64encode(payload), b64encode(signature)])


def _strange_uploads(token: str) -> list[tuple[str, object, str]]:
    """(what, uploaded, the message the page gives) for everything that is not a credential of ours."""
    header, payload, signature = token.split(".")
    kid = json.loads(b64decode(header))["kid"]
    other = _other_key()
    their_kid = other.kid
    claims = b64decode(payload)
    signed_by_other = jws.serialize_compact({"alg": "Ed25519", "kid": their_kid}, claims, other, algorithms=["Ed25519"])
    posing = jws.serialize_compact({"alg": "Ed25519", "kid": kid}, claims, other, algorithms=["Ed25519"])
    secret = OctKey.import_key(b"0123456789abcdef0123456789abcdef")
    hmac_token = jws.serialize_compact({"alg": "HS256", "kid": kid}, claims, secret, algorithms=["HS256"])
    changed = b64encode(claims.replace("黃○試".encode(), "林○試".encode()))
    return [
        ("garbage", "hello, world", credential.MALFORMED),
        ("three garbage parts", "a.b.c", credential.MALFORMED),
        ("binary", b"\x89PNG\r\n\x1a\n\x00\xff\xfe" * 50, credential.MALFORMED),
        ("huge", "A" * (credential.MAX_BYTES + 1), credential.TOO_LARGE),
        ("a header that is no object", _jws([1, 2], claims), credential.MALFORMED),
        ("a header nested past any parser", f"{b64encode(b'[' * 40000)}.{payload}.{signature}", credential.MALFORMED),
        ("a header in no encoding", f"{b64encode(NOT_UTF8)}.{payload}.{signature}", credential.MALFORMED),
        ("alg none", _jws({"alg": "none", "kid": kid}, claims), credential.UNSIGNED),
        ("alg none with a signature", _jws({"alg": "none"}, claims, b"x" * 64), credential.UNSIGNED),
        ("HS256 with a shared secret", hmac_token, credential.OTHER_ALGORITHM),
        ("signed by another key", signed_by_other, credential.UNKNOWN_KEY),
        ("another key posing as ours", posing, credential.BAD_SIGNATURE),
        ("a claim changed", f"{header}.{changed}.{signature}", credential.BAD_SIGNATURE),
        ("a signature cut short", token[:-10], credential.BAD_SIGNATURE),
        ("no payload", f"{header}..{signature}", credential.BAD_SIGNATURE),
        ("a signed payload that is not JSON", _signed_by_us(kid, b"\xff not json"), credential.MALFORMED),
        ("a signed JSON of no certificate", _signed_by_us(kid, b'{"credentialStatus": 5}'), credential.NOT_OURS),
    ]


def _signed_by_us(kid: str, payload: bytes) -> str:
    key = credential_keys.signing_key()
    return jws.serialize_compact({"alg": "Ed25519", "kid": kid}, payload, key, algorithms=["Ed25519"])


def test_anything_else_uploaded_gets_a_clear_message(client, certificate, settings):
    settings.VERIFY_MAX_LOOKUPS = 1000
    token = download(client, certificate)

    for what, uploaded, message in _strange_uploads(token):
        for as_file in (True, False) if isinstance(uploaded, str) else (True,):
            response = upload(client, uploaded, as_file=as_file)

            html = response.content.decode()
            assert (what, response.status_code) == (what, 400)
            assert message in html, what
            assert "驗證成功" not in html, what


@pytest.mark.parametrize(
    ("posted", "message"),
    [({}, credential.NOTHING_GIVEN), ({"text": "   "}, credential.NOTHING_GIVEN), ({"text": "x" * 10}, "")],
)
def test_an_empty_or_doubled_form_says_what_to_do(client, certificate, posted, message):
    if not message:  # a file and pasted text together
        posted["file"] = SimpleUploadedFile("c.jwt", b"x")
        message = credential.BOTH_GIVEN

    response = client.post(reverse("verify:credential_upload"), posted)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_paste_beyond_what_any_form_takes_gets_a_page_in_chinese(client):
    response = client.post(reverse("verify:credential_upload"), {"text": "A" * 3_000_000})

    assert response.status_code == 400
    assert "送出的內容過大或格式不正確" in response.content.decode()


def test_uploads_count_as_lookups_under_the_same_limit(client, certificate, settings):
    token = download(client, certificate)
    settings.VERIFY_MAX_LOOKUPS = 3  # the download was the first

    assert upload(client, token).status_code == 200
    assert upload(client, "garbage").status_code == 400
    refused = upload(client, token)

    assert refused.status_code == 429
    assert "查詢次數過多，請於 10 分鐘後再試。" in refused.content.decode()
    assert "驗證成功" not in refused.content.decode()
    Outcome = VerificationLookup.Outcome
    outcomes = list(VerificationLookup.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == [Outcome.VALID, Outcome.VALID, Outcome.INVALID, Outcome.LIMITED]


def test_the_did_document_names_the_same_key(client):
    jwks = client.get(reverse("well_known:jwks"))
    did = client.get(reverse("well_known:did"))

    assert did.status_code == 200 and did["Content-Type"] == "application/did+json"
    document = did.json()
    [method] = document["verificationMethod"]
    assert document["id"] == "did:web:127.0.0.1%3A8000" == method["controller"]
    assert method["publicKeyJwk"] == jwks.json()["keys"][0]
    assert document["assertionMethod"] == [method["id"]] == [method["publicKeyJwk"]["kid"]]
    for response in (jwks, did):
        assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
        assert response["Access-Control-Allow-Origin"] == "*"


def test_the_issuer_follows_the_site_url(settings):
    settings.SITE_URL = "https://proteacher.example.edu.tw"
    assert credential.issuer_id() == "did:web:proteacher.example.edu.tw"
    settings.SITE_URL = "https://example.edu.tw/proteacher"
    assert credential.issuer_id() == "did:web:example.edu.tw:proteacher"


# --- the key ---------------------------------------------------------------------------------------


def test_a_development_machine_generates_its_key_once(settings, tmp_path):
    settings.DEBUG, settings.CREDENTIAL_SIGNING_KEY, settings.VAR_DIR = True, "", tmp_path

    first = credential_keys.signing_key()
    again = credential_keys.signing_key()
    credential_keys._loaded.cache_clear()  # another process
    other_process = credential_keys.signing_key()

    path = tmp_path / "credential-key.pem"
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert path.stat().st_mode & 0o077 == 0
    assert first.kid == again.kid == other_process.kid
    assert [p.name for p in tmp_path.iterdir()] == ["credential-key.pem"]


def test_a_jwk_key_is_read_too(settings):
    key = _other_key()
    settings.CREDENTIAL_SIGNING_KEY = json.dumps(key.as_dict(private=True))

    assert credential_keys.signing_key().kid == key.kid
    assert credential_keys.check_signing_key(None) == []


def test_production_without_a_key_offers_no_credential_and_warns(client, certificate, settings):
    settings.DEBUG, settings.CREDENTIAL_SIGNING_KEY = False, ""

    page = client.get(reverse("verify:code", args=[certificate.verify_code])).content.decode()
    download_response = client.get(reverse("verify:credential", args=[certificate.verify_code]))
    jwks = client.get(reverse("well_known:jwks"))
    uploaded = upload(client, "a.b.c")

    assert "有效" in page and "下載數位憑證" not in page
    assert download_response.status_code == 503 and credential.UNAVAILABLE in download_response.content.decode()
    assert jwks.status_code == 503 and "no-store" in jwks["Cache-Control"]
    assert uploaded.status_code == 503 and credential.UNAVAILABLE in uploaded.content.decode()
    assert [problem.id for problem in credential_keys.check_signing_key(None)] == ["proteacher.W001"]


@pytest.mark.parametrize(
    "configured",
    [
        "not a key",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
        '{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}',  # public only
        "{not json",
    ],
)
def test_a_key_that_cannot_be_read_is_a_deploy_error_and_no_500(client, certificate, settings, configured):
    settings.CREDENTIAL_SIGNING_KEY = configured

    response = client.get(reverse("verify:credential", args=[certificate.verify_code]))

    assert response.status_code == 503
    assert [problem.id for problem in credential_keys.check_signing_key(None)] == ["proteacher.E002"]
