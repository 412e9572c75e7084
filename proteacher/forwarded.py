"""The client's own address behind the platform's proxies.

The login throttle and the audit log read `REMOTE_ADDR`. Behind a load balancer or reverse proxy
that is the proxy's address, and one client's limits would be everyone's. When the request comes
from an address in TRUSTED_PROXIES, the client is the last address in `X-Forwarded-For` that is not
itself a trusted proxy (each proxy appends the address it was reached from; anything a client
writes there itself comes before). With no TRUSTED_PROXIES nothing changes: a client cannot
choose its address by sending the header.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for entry in settings.TRUSTED_PROXIES:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {entry!r} is not an address or a network") from None
    return networks


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(remote_addr: str, forwarded_for: str, networks) -> str:
    peer = _address(remote_addr)
    if peer is None or not any(peer in network for network in networks):
        return remote_addr
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            return remote_addr  # a hop the proxies did not write: trust nothing after it
        if not any(address in network for network in networks):
            return str(address)
    return remote_addr


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.networks = _networks()

    def __call__(self, request):
        if self.networks:
            meta = request.META
            meta["REMOTE_ADDR"] = client_address(
                meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", ""), self.networks
            )
        return self.get_response(request)
