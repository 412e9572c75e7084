"""Behind the platform's proxies the client's own address is the one the login throttle and the
audit log see (proteacher/forwarded.py); without TRUSTED_PROXIES nobody can choose theirs."""

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from proteacher.audit.models import AuditEntry
from proteacher.forwarded import ClientAddressMiddleware, client_address
from proteacher.testing import factories
from proteacher.testing.second_factor import SignInClient

PROXIES = ["10.0.0.0/24", "2001:db8::/64"]
WRONG = "帳號或密碼錯誤"


def seen(remote_addr, forwarded_for):
    return client_address(remote_addr, forwarded_for, [ipaddress.ip_network(entry) for entry in PROXIES])


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "client"),
    [
        # From the proxy: the address the proxy was reached from.
        ("10.0.0.5", "203.0.113.66", "203.0.113.66"),
        # What a client writes into the header itself comes first and is passed over.
        ("10.0.0.5", "198.51.100.7, 203.0.113.66", "203.0.113.66"),
        # Two proxies of the platform in a row.
        ("10.0.0.5", "203.0.113.66, 10.0.0.9", "203.0.113.66"),
        ("2001:db8::1", "2001:db8:1::7", "2001:db8:1::7"),
        # Not from a proxy: the header counts for nothing.
        ("203.0.113.66", "198.51.100.7", "203.0.113.66"),
        # A hop the proxies did not write, or none at all: the proxy's own address.
        ("10.0.0.5", "not-an-address", "10.0.0.5"),
        ("10.0.0.5", "", "10.0.0.5"),
        ("10.0.0.5", "10.0.0.9", "10.0.0.5"),
    ],
)
def test_the_client_is_the_last_address_no_proxy_of_the_platform_wrote(remote_addr, forwarded_for, client):
    assert seen(remote_addr, forwarded_for) == client


@override_settings(TRUSTED_PROXIES=["10.0.0.0/33"])
def test_a_malformed_proxy_list_stops_the_start():
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES: '10.0.0.0/33' is not an address or a network"):
        ClientAddressMiddleware(lambda request: None)


def post_login(client, username, password, client_address):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR=client_address,
    )


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=PROXIES)
def test_behind_the_proxy_one_clients_wrong_passwords_do_not_refuse_another(taipei_officer):
    client = SignInClient()
    for n in range(6):
        assert WRONG in post_login(client, "taipei-officer", f"guess-{n}", "203.0.113.66").content.decode()

    owner = post_login(client, "taipei-officer", factories.PASSWORD, "198.51.100.7")

    assert owner.status_code == 302 and owner["Location"] == reverse("accounts:second_factor")
    failures = AuditEntry.objects.filter(action="login.failed")
    assert set(failures.values_list("ip", flat=True)) == {"203.0.113.66"}


@pytest.mark.django_db
def test_without_trusted_proxies_the_header_changes_nothing(taipei_officer):
    post_login(SignInClient(), "taipei-officer", "guess", "203.0.113.66")

    assert AuditEntry.objects.get(action="login.failed").ip == "10.0.0.5"
