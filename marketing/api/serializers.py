from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from ..emails import check_typed, normalize_email
from ..models import Campaign, Channel, CompanySize
from ..services import UTM_FIELDS, Capture


class CaptureSerializer(serializers.Serializer):
    """Input of the public capture endpoint. Any other key (stage, score, owner…) is ignored."""

    email = serializers.CharField(max_length=254)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    company = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    country = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    company_size = serializers.ChoiceField(choices=CompanySize.choices, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True, default="")
    campaign = serializers.SlugRelatedField(
        slug_field="utm_campaign", queryset=Campaign.objects.all(), required=False, allow_null=True, default=None
    )
    utm_source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    utm_medium = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    utm_campaign = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    utm_term = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    utm_content = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    referrer = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    landing_page = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    consent_text = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate_email(self, value: str) -> str:
        try:
            check_typed(normalize_email(value))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return value

    def to_capture(self, *, touch_kind: str, verified: bool) -> Capture:
        data = self.validated_data
        return Capture(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            company=data["company"],
            title=data["title"],
            phone=data["phone"],
            country=data["country"],
            industry=data["industry"],
            company_size=data["company_size"],
            source=data["source"],
            campaign=data["campaign"],
            utm={name: data[name] for name in UTM_FIELDS},
            referrer=data["referrer"],
            landing_page=data["landing_page"],
            consent_text=data["consent_text"],
            consent_source="API",
            touch_kind=touch_kind,
            verified=verified,
        )
