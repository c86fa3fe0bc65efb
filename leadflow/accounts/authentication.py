from datetime import UTC

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from . import services


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer lf_<prefix>_<secret>`, for integrators.

    Any other scheme (or none) is left to the next class, SessionAuthentication. Listed first
    in settings, because DRF takes the challenge of a 401 from the first class: without one
    (SessionAuthentication has none) a missing or bad credential is answered 403.
    """

    def authenticate(self, request):
        # The raw header as a str: DRF's get_authorization_header() re-encodes it as Latin-1,
        # which raises (a 500) on anything outside it.
        parts = request.META.get("HTTP_AUTHORIZATION", "").split()
        if not parts or parts[0].lower() != "bearer":
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Malformed Authorization header: send 'Bearer <token>'.")
        try:
            token = services.authenticate_api_token(raw=parts[1])
        except services.TokenExpired as expired:
            raise AuthenticationFailed(
                f"This token expired on {expired.expired_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC. "
                "Create a new one on your API tokens page and use it instead."
            ) from None
        if token is None:
            raise AuthenticationFailed("Invalid or revoked token.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
