"""A small JSON API for integrators: list and read deals, edit and move them with optimistic locking.

GET answers an ETag (the deal's version); PATCH and move need it back in If-Match:
missing → 428, stale → 412, so two integrations never overwrite each other silently.
"""

import re

from django.db.models import F
from rest_framework.exceptions import APIException
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..errors import DealConflict
from ..models import Deal
from .serializers import DealChangesSerializer, DealSerializer, MoveSerializer


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = "Send If-Match with the ETag you read (GET the deal first), so that no edit is lost."


class PreconditionFailed(APIException):
    status_code = 412
    default_detail = "The deal changed since you read it: GET it again and retry with the new ETag."


class CanUseDeals(BasePermission):
    def has_permission(self, request, view) -> bool:
        needed = "sales.view_deal" if request.method in ("GET", "HEAD", "OPTIONS") else "sales.change_deal"
        return request.user.has_perm(needed)


def etag(deal: Deal) -> str:
    return f'"{deal.version}"'


def expected_version(request, deal: Deal) -> int:
    """The version the client read, from If-Match; 428 without it, 412 if it is not the current one."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    if header == "*":
        return deal.version
    versions = {int(v) for v in re.findall(r'(?:W/)?"(\d{1,10})"', header)}
    if deal.version not in versions:
        raise PreconditionFailed()
    return deal.version


def scoped(request):
    return Deal.objects.visible_to(request.user).select_related("stage", "owner", "team", "pipeline")


class DealList(ListAPIView):
    """The caller's deals (a manager: their teams'), open first, newest first."""

    permission_classes = [CanUseDeals]
    serializer_class = DealSerializer

    def get_queryset(self):
        return scoped(self.request).order_by(F("closed_at").asc(nulls_first=True), "-created_at", "-id")


class DealDetail(APIView):
    permission_classes = [CanUseDeals]

    def get(self, request, pk: int):
        deal = scoped(request).get(pk=pk)
        if etag(deal) in request.headers.get("If-None-Match", ""):
            return Response(status=304, headers={"ETag": etag(deal)})
        return Response(DealSerializer(deal).data, headers={"ETag": etag(deal)})

    def patch(self, request, pk: int):
        deal = scoped(request).get(pk=pk)
        version = expected_version(request, deal)
        changes = DealChangesSerializer(data=request.data, partial=True)
        changes.is_valid(raise_exception=True)
        if not changes.validated_data:
            return Response(DealSerializer(deal).data, headers={"ETag": etag(deal)})
        try:
            services.update_deal(deal_id=deal.pk, by=request.user, expected_version=version, **changes.validated_data)
        except DealConflict:
            raise PreconditionFailed() from None
        deal = scoped(request).get(pk=pk)
        return Response(DealSerializer(deal).data, headers={"ETag": etag(deal)})


class DealMove(APIView):
    permission_classes = [CanUseDeals]

    def post(self, request, pk: int):
        deal = scoped(request).get(pk=pk)
        version = expected_version(request, deal)
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.move_deal(
                deal_id=deal.pk, to_stage_id=data.validated_data["stage"], by=request.user, expected_version=version
            )
        except DealConflict:
            raise PreconditionFailed() from None
        deal = scoped(request).get(pk=pk)
        return Response(DealSerializer(deal).data, headers={"ETag": etag(deal)})
