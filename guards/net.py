"""Who is asking: the client's address, as far as the proxies in front of LeadFlow vouch for it."""

from rest_framework.settings import api_settings


def client_ip(request) -> str:
    """The visitor's address, trusting exactly NUM_PROXIES proxies' X-Forwarded-For entries.

    The same rule as DRF's throttles (docs/RELIABILITY.md, security baseline): with no
    proxies configured the header is ignored, so a client cannot pick its own address by
    sending one; behind N proxies the Nth address from the right is the client (each proxy
    appends the address it received the request from, so what a client writes itself sits
    further left and is never read).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = api_settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return remote
