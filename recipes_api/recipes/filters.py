"""The library's filters (django-filter), over the indexed columns and
labels the services copy out of each recipe's `data`."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from vision.schema import Allergen, Course, Diet, Source

from recipes_api.recipes.models import Recipe, RecipeLabel


def _labelled(kind: str, value: str) -> Exists:
    return Exists(RecipeLabel.objects.filter(recipe=OuterRef("pk"), kind=kind, value=value))


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is a 400, not "no filter"."""

    widget = forms.TextInput  # NullBooleanSelect would read "maybe" as unset

    def to_python(self, value):
        text = str(value).strip().lower() if value is not None else ""
        if text == "":
            return None
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValidationError("Enter true or false.", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class RecipeFilter(django_filters.FilterSet):
    cuisine = django_filters.CharFilter(lookup_expr="iexact", help_text="Exactly this cuisine, any case.")
    course = django_filters.ChoiceFilter(choices=[(c.value, c.value) for c in Course])
    diet = django_filters.ChoiceFilter(
        choices=[(d.value, d.value) for d in Diet], method="filter_diet", help_text="Suitable for this diet."
    )
    allergen_free = django_filters.ChoiceFilter(
        choices=[(a.value, a.value) for a in Allergen],
        method="filter_allergen_free",
        help_text="Free of this allergen, as the recipe declares its allergens.",
    )
    tag = django_filters.CharFilter(method="filter_tag", help_text="Carries this tag of yours (exact).")
    favorite = StrictBooleanFilter()
    max_total_time = django_filters.NumberFilter(
        field_name="total_minutes",
        lookup_expr="lte",
        min_value=0,
        help_text="Prep + cook at most this many minutes (recipes with no known time are left out).",
    )
    source = django_filters.ChoiceFilter(choices=[(s.value, s.value) for s in Source])
    language = django_filters.CharFilter(
        method="filter_language", help_text='BCP 47 tag; "en" also finds "en-GB".'
    )

    class Meta:
        model = Recipe
        fields = []

    def filter_diet(self, recipes, name, value):
        return recipes.filter(_labelled(RecipeLabel.Kind.DIET, value))

    def filter_allergen_free(self, recipes, name, value):
        return recipes.exclude(_labelled(RecipeLabel.Kind.ALLERGEN, value))

    def filter_tag(self, recipes, name, value):
        return recipes.filter(_labelled(RecipeLabel.Kind.TAG, value.strip()))

    def filter_language(self, recipes, name, value):
        return recipes.filter(Q(language__iexact=value) | Q(language__istartswith=f"{value}-"))
