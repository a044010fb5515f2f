from rest_framework import serializers

from recipes_api.sharing.selectors import share_url


class ShareSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField(help_text="The public page: no sign-in needed.")
    token = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def get_url(self, share) -> str:
        return share_url(share, self.context.get("request"))
