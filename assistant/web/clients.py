"""Who sent a request: the client's address and whether it came over https, believing the
X-Forwarded-* headers only from the reverse proxies in ``settings.web.trusted_proxies``."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """The proxies whose forwarding headers count."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.networks: list[Network] = [ipaddress.ip_network(e.strip(), strict=False)
                                        for e in entries if e.strip()]

    def trusts(self, address: str) -> bool:
        """True when ``address`` is one of the trusted proxies."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.networks)

    def client_address(self, scope: Scope) -> str:
        """The visitor's address: the peer, or, behind trusted proxies, the nearest address in
        X-Forwarded-For that is not itself a trusted proxy (a visitor can prepend anything)."""
        peer = scope["client"][0] if scope.get("client") else "unknown"
        if not self.trusts(peer):
            return peer
        forwarded = [a.strip() for a in _header(scope, b"x-forwarded-for").split(",") if a.strip()]
        for address in reversed(forwarded):
            if not self.trusts(address):
                return address
        return forwarded[0] if forwarded else peer

    def is_https(self, scope: Scope) -> bool:
        """The request reached us over https, or a trusted proxy says it reached the proxy so."""
        if scope.get("scheme") in ("https", "wss"):
            return True
        peer = scope["client"][0] if scope.get("client") else ""
        proto = _header(scope, b"x-forwarded-proto").split(",")[0].strip().lower()
        return self.trusts(peer) and proto == "https"


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""
