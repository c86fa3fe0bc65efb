from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..models import Handoff
from .serializers import AcceptSerializer, OfferSerializer, RejectSerializer


class CanDecideOffers(BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("handoff.decide_offer")


class OfferList(ListAPIView):
    """The caller's open offers (a manager: their teams'), soonest due first."""

    permission_classes = [CanDecideOffers]
    serializer_class = OfferSerializer

    def get_queryset(self):
        return (
            Handoff.objects.visible_to(self.request.user)
            .filter(state=Handoff.State.OFFERED)
            .select_related("lead")
            .order_by("due_at")
        )


class AcceptOffer(APIView):
    permission_classes = [CanDecideOffers]

    def post(self, request, pk: int):
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handoff = services.accept_offer(handoff_id=pk, by=request.user, **data.validated_data)
        return Response(OfferSerializer(handoff).data)


class RejectOffer(APIView):
    permission_classes = [CanDecideOffers]

    def post(self, request, pk: int):
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handoff = services.reject_offer(handoff_id=pk, by=request.user, **data.validated_data)
        return Response(OfferSerializer(handoff).data)
