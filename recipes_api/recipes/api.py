from datetime import timedelta

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from recipes_api import errors
from recipes_api.pagination import QueryOrderedPagination
from recipes_api.photos.files import photo_file_url
from recipes_api.photos.serializers import JobSerializer
from recipes_api.recipes.etags import expected_version, none_match, page_etag, recipe_etag
from recipes_api.recipes.filters import RecipeFilter
from recipes_api.recipes.jsonld import recipe_jsonld
from recipes_api.recipes.regeneration import recipe_regenerate
from recipes_api.recipes.selectors import recipe_for_cooking, recipe_get, recipe_list, recipe_tombstones, recipe_versions
from recipes_api.recipes.serializers import (
    RecipeDetailQuerySerializer,
    RecipeEditSerializer,
    RecipeListQuerySerializer,
    RecipeListSerializer,
    RecipeRegenerateSerializer,
    RecipeSerializer,
    RecipeVersionSerializer,
    TombstoneSerializer,
)
from recipes_api.recipes.services import recipe_delete, recipe_edit

ETAG_HEADER = OpenApiParameter(
    "If-None-Match", str, OpenApiParameter.HEADER, description="An ETag you hold: 304 when it is still current."
)
NOT_MODIFIED = OpenApiResponse(description="Not modified: the ETag in If-None-Match is still current.")

LIST_DESCRIPTION = """Your library, cursor-paginated (`cursor`, `page_size`).

`search` finds words in title, description, ingredients and steps, ranked by
relevance (in the recipe's language's text search configuration on
PostgreSQL); `ordering` is newest (default), oldest, title, total_time or,
with `search`, relevance (its default). Filters combine with AND.

Sync: with `updated_since`, only the recipes changed at or after it, and,
on the first page, `deleted`: the recipes deleted since, as tombstones (id,
deleted_at), kept RECIPE_TOMBSTONE_DAYS (default 30); an `updated_since`
older than that is 410 `sync_expired` (sync from scratch). `ETag` and
`If-None-Match` (304) work on every page."""


class RecipeListApi(generics.ListAPIView):
    serializer_class = RecipeListSerializer
    pagination_class = QueryOrderedPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = RecipeFilter
    error_statuses = [410]

    def get_queryset(self):
        query = self.list_query()
        return recipe_list(
            owner=self.request.user,
            search=query.get("search"),
            ordering=query.get("ordering"),
            updated_since=query.get("updated_since"),
        )

    def filter_queryset(self, queryset):
        # django-filter builds and validates a form on every request, a fifth
        # of a page's time; a plain page (what a scrolling phone asks for
        # most) names no filter and needs none.
        if self.request.query_params.keys() & RecipeFilter.base_filters.keys():
            return super().filter_queryset(queryset)
        return queryset

    def list_query(self) -> dict:
        if not hasattr(self, "_query"):
            self._query = {}
            # A plain page (what a scrolling phone asks for most) has nothing to validate.
            if self.request.query_params.keys() & RecipeListQuerySerializer._declared_fields.keys():
                serializer = RecipeListQuerySerializer(data=self.request.query_params)
                serializer.is_valid(raise_exception=True)
                self._query = serializer.validated_data
        return self._query

    @extend_schema(
        summary="Browse, search and sync your library",
        description=LIST_DESCRIPTION,
        parameters=[RecipeListQuerySerializer, ETAG_HEADER],
        responses={200: RecipeListSerializer(many=True), 304: NOT_MODIFIED},
    )
    def get(self, request):
        since = self.list_query().get("updated_since")
        if since is not None and since < timezone.now() - timedelta(days=settings.RECIPE_TOMBSTONE_DAYS):
            raise errors.Gone(
                f"Deletions are kept {settings.RECIPE_TOMBSTONE_DAYS} days; sync from scratch.",
                code="sync_expired",
            )
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        deleted = []
        if since is not None and "cursor" not in request.query_params:
            deleted = TombstoneSerializer(recipe_tombstones(owner=request.user, since=since), many=True).data
            response.data["deleted"] = deleted
        links = {"next": response.data.get("next"), "previous": response.data.get("previous")}
        etag = page_etag(page, links=links, deleted=deleted, query=dict(request.query_params.lists()))
        return _conditional(request, response, etag)


class RecipeDetailApi(APIView):
    error_statuses = [412]

    @extend_schema(
        summary="A recipe, for reading or for the kitchen",
        parameters=[RecipeDetailQuerySerializer, ETAG_HEADER],
        responses={200: RecipeSerializer, 304: NOT_MODIFIED},
    )
    def get(self, request, recipe_id):
        recipe = recipe_get(owner=request.user, recipe_id=recipe_id)
        options = RecipeDetailQuerySerializer(data=request.query_params)
        options.is_valid(raise_exception=True)
        include = options.validated_data.pop("include", set())
        etag = recipe_etag(recipe, query=dict(request.query_params.lists()))
        if not none_match(request, etag):
            return _not_modified(etag)
        for_cooking = recipe_for_cooking(recipe, **options.validated_data)
        body = RecipeSerializer(for_cooking, context={"request": request, "include": include}).data
        return Response(body, headers={"ETag": etag})

    @extend_schema(
        summary="Correct a recipe",
        description=(
            "Any recipe field (merged into the recipe and validated by its schema: a 400 with the field paths "
            "changes nothing) and your own `favorite`, `tags`, `notes`. `If-Match` with the ETag you read: "
            "412 `precondition_failed` when the recipe changed since."
        ),
        request=RecipeEditSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description="The ETag you read.")],
        responses={200: RecipeSerializer},
    )
    def patch(self, request, recipe_id):
        recipe = recipe_get(owner=request.user, recipe_id=recipe_id)
        if not isinstance(request.data, dict):
            raise errors.Invalid("Send a JSON object.")
        edit = RecipeEditSerializer(data=request.data, partial=True)
        unknown = sorted(set(request.data) - set(edit.fields))
        if unknown:
            raise errors.Invalid(details={name: ["No such field."] for name in unknown})
        edit.is_valid(raise_exception=True)
        changes = {name: request.data[name] for name in edit.validated_data}
        changes.update({name: edit.validated_data[name] for name in ("favorite", "tags", "notes") if name in changes})
        saved = recipe_edit(recipe=recipe, changes=changes, expected_version=expected_version(request))
        saved = recipe_get(owner=request.user, recipe_id=saved.pk)
        return Response(
            RecipeSerializer(saved, context={"request": request}).data, headers={"ETag": recipe_etag(saved, query={})}
        )

    @extend_schema(summary="Delete a recipe, and its photos once nothing else uses them", responses={204: None})
    def delete(self, request, recipe_id):
        recipe = recipe_get(owner=request.user, recipe_id=recipe_id)
        recipe_delete(recipe=recipe)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecipeRegenerateApi(APIView):
    error_statuses = [409, 429]

    @extend_schema(
        summary="Read the recipe's photos again",
        description=(
            "202 with a job on the recipe's photos, in order. When it succeeds, its output replaces the model's "
            "(`original`): the fields you edited keep your values, the rest take the new output; favorite, tags "
            "and notes are untouched, and the previous output is kept (`versions/`). A failed job changes nothing."
        ),
        request=RecipeRegenerateSerializer,
        responses={202: JobSerializer},
    )
    def post(self, request, recipe_id):
        recipe = recipe_get(owner=request.user, recipe_id=recipe_id)
        options = RecipeRegenerateSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        job = recipe_regenerate(recipe=recipe, **options.validated_data)
        location = request.build_absolute_uri(reverse("job-detail", args=[job.id]))
        body = JobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class RecipeVersionListApi(generics.ListAPIView):
    """The model outputs that regenerations replaced, newest first."""

    serializer_class = RecipeVersionSerializer
    pagination_class = QueryOrderedPagination

    def get_queryset(self):
        return recipe_versions(recipe=recipe_get(owner=self.request.user, recipe_id=self.kwargs["recipe_id"]))


class RecipeJsonLdApi(APIView):
    @extend_schema(
        summary="The recipe as schema.org Recipe JSON-LD",
        responses={(200, "application/ld+json"): OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    def get(self, request, recipe_id):
        recipe = recipe_get(owner=request.user, recipe_id=recipe_id)
        images = [photo_file_url(photo=recipe.photo, variant="image", request=request)] if recipe.photo else []
        document = recipe_jsonld(recipe.data, created_at=recipe.created_at, images=images)
        return JsonResponse(document, content_type="application/ld+json", json_dumps_params={"ensure_ascii": False})


def _conditional(request, response: Response, etag: str) -> Response:
    if not none_match(request, etag):
        return _not_modified(etag)
    response["ETag"] = etag
    return response


def _not_modified(etag: str) -> Response:
    return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
