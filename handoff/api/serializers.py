from rest_framework import serializers

from ..models import Handoff, RejectionReason


class AcceptSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True, default=None)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=RejectionReason.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    # For a duplicate: the original lead's address; the rejected lead is merged into it.
    original_email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True, default=None)


class EraseSerializer(serializers.Serializer):
    # The person's address (an imported lead without one: its import ID), as on the lead page.
    confirm = serializers.CharField(max_length=254, allow_blank=True, default="")


class OfferSerializer(serializers.ModelSerializer):
    lead = serializers.SerializerMethodField()

    class Meta:
        model = Handoff
        fields = [
            "id",
            "state",
            "lead",
            "assignee",
            "offered_at",
            "due_at",
            "decided_at",
            "rejection_reason",
            "rejection_note",
            "recycle_action",
            "route_reason",
            "deal",
        ]
        read_only_fields = fields

    def get_lead(self, handoff: Handoff) -> dict:
        lead = handoff.lead
        return {
            "id": lead.pk,
            "name": lead.display_name,
            "email": lead.email,
            "company": lead.company,
            "score": lead.score,
        }
