from rest_framework import serializers

from recipes_api.moderation.models import Report


class ReportCreateSerializer(serializers.Serializer):
    share = serializers.CharField(max_length=64, help_text="The token of the shared recipe's link (`/r/<token>/`).")
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["id", "reason", "note", "created_at", "updated_at"]
        read_only_fields = fields
