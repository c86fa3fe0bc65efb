from rest_framework import serializers

from guards.dates import validate_date

from ..models import Deal


class DealSerializer(serializers.ModelSerializer):
    stage = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    team = serializers.CharField(source="team.name", default=None)
    pipeline = serializers.CharField(source="pipeline.name")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Deal
        fields = [
            "id",
            "title",
            "pipeline",
            "stage",
            "owner",
            "team",
            "amount",
            "currency",
            "expected_close",
            "contact_name",
            "contact_email",
            "contact_phone",
            "company",
            "closed_at",
            "lost_reason",
            "lost_note",
            "lead_rating",
            "last_activity_at",
            "version",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    def get_stage(self, deal: Deal) -> dict:
        return {
            "id": deal.stage_id,
            "name": deal.stage.name,
            "kind": deal.stage.kind,
            "probability": deal.stage.probability,
        }

    def get_owner(self, deal: Deal) -> dict:
        return {"id": deal.owner_id, "name": deal.owner.get_full_name() or deal.owner.username}


class DealChangesSerializer(serializers.Serializer):
    """The fields a PATCH may change; anything else in the body is refused, naming it."""

    title = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", error_messages={"invalid": "Use a three-letter currency code."})
    expected_close = serializers.DateField(allow_null=True, validators=[validate_date])
    contact_name = serializers.CharField(max_length=200, allow_blank=True)
    contact_email = serializers.EmailField(max_length=254, allow_blank=True)
    contact_phone = serializers.CharField(max_length=50, allow_blank=True)
    company = serializers.CharField(max_length=200, allow_blank=True)

    def to_internal_value(self, data):
        unknown = set(data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(dict.fromkeys(sorted(unknown), ["This field cannot be changed."]))
        return super().to_internal_value(data)


class MoveSerializer(serializers.Serializer):
    stage = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
