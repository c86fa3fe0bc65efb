from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..models import Touchpoint
from .serializers import CaptureSerializer
from .throttles import CaptureThrottle


class CaptureView(APIView):
    """POST a lead from anywhere (a website's own form, an integration)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [CaptureThrottle]
    throttle_scope = "capture"

    def post(self, request):
        serializer = CaptureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.capture_lead(capture=serializer.to_capture(touch_kind=Touchpoint.Kind.API))
        return Response(
            {"id": result.lead.pk, "created": result.created},
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
