from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from recipes_api.openapi import ErrorSerializer
from recipes_api.sharing.serializers import ShareSerializer
from recipes_api.sharing.services import share_create, share_revoke


class ShareApi(APIView):
    error_statuses = [403, 409]

    @extend_schema(
        summary="Share the recipe: a public page carrying its JSON-LD",
        request=None,
        responses={
            201: OpenApiResponse(ShareSerializer, description="A new public link."),
            200: OpenApiResponse(ShareSerializer, description="The recipe's live link, shared before."),
            403: OpenApiResponse(ErrorSerializer, description="`user_banned`: banned users cannot share."),
            409: OpenApiResponse(ErrorSerializer, description="`recipe_hidden`: moderators hid this recipe."),
        },
    )
    def post(self, request, recipe_id):
        share, created = share_create(owner=request.user, recipe_id=recipe_id)
        body = ShareSerializer(share, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(summary="Revoke the recipe's public link", responses={204: None})
    def delete(self, request, recipe_id):
        share_revoke(owner=request.user, recipe_id=recipe_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
