from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .. import services
from ..emails import normalize_email
from ..models import Touchpoint
from ..ratelimit import hit_email
from ..services.capture import vouches_for_captures
from .serializers import CaptureSerializer
from .throttles import CaptureThrottle


class CaptureView(APIView):
    """POST a lead from anywhere (a website's own form, an integration).

    The answer must not tell who is in the CRM: anonymous callers, and keys of users who may
    not see every lead, get the same 202 whether the person was new or known. A key of a
    user who may see and edit every lead gets the lead's id and whether it was created, and
    its capture is verified (it may fill an existing person's blanks and consent).
    """

    permission_classes = [AllowAny]
    # API keys only: a session cookie is ignored, so a website's script in a logged-in
    # marketer's browser captures anonymously instead of failing the session's CSRF check.
    authentication_classes = [
        cls for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES if not issubclass(cls, SessionAuthentication)
    ]
    throttle_classes = [CaptureThrottle]

    def post(self, request):
        serializer = CaptureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        limited = hit_email(normalize_email(serializer.validated_data["email"]))
        if not limited.allowed:
            raise Throttled(limited.retry_after, detail="Too many captures of this address.")
        verified = vouches_for_captures(request.user)
        capture = serializer.to_capture(touch_kind=Touchpoint.Kind.API, verified=verified)
        result = services.capture_lead(capture=capture)
        if not verified:
            return Response({"accepted": True}, status=status.HTTP_202_ACCEPTED)
        return Response(
            {"id": result.lead.pk, "created": result.created},
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
