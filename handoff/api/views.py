from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from marketing import services as marketing
from marketing.models import Lead

from .. import services
from ..forms.subject_rights import confirmation_of, confirms
from ..models import Handoff
from .serializers import AcceptSerializer, EraseSerializer, OfferSerializer, RejectSerializer


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
        services.offer_for(handoff_id=pk, by=request.user)  # someone else's offer: 404 before the body
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handoff = services.accept_offer(handoff_id=pk, by=request.user, **data.validated_data)
        return Response(OfferSerializer(handoff).data)


class RejectOffer(APIView):
    permission_classes = [CanDecideOffers]

    def post(self, request, pk: int):
        services.offer_for(handoff_id=pk, by=request.user)  # someone else's offer: 404 before the body
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handoff = services.reject_offer(handoff_id=pk, by=request.user, **data.validated_data)
        return Response(OfferSerializer(handoff).data)


class IsAdmin(BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.user.is_superuser


class EraseLead(APIView):
    """Admins only: erase a person (GDPR art. 17), confirmed as on the lead page; a second
    call changes nothing and says so."""

    permission_classes = [IsAdmin]

    def post(self, request, pk: int):
        data = EraseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lead = Lead.objects.get(pk=marketing.person_lead_ids(lead_id=pk)[0])
        if not lead.erased_at and not confirms(data.validated_data["confirm"], confirmation_of(lead)[0]):
            raise ValidationError({"confirm": "That does not match this person: nothing was erased."})
        result = services.erase_subject(lead_id=lead.pk, by=request.user)
        lead.refresh_from_db(fields=["erased_at"])
        return Response({"lead_id": lead.pk, "erased_at": lead.erased_at, "already_erased": result.already_erased})
