"""DRF serializer fields built from a pydantic model.

`vision.schema.Recipe` is the one definition of a recipe. Rather than retype
its fields (and let the two drift), serializers take them from the model: the
same bounds, choices and nullability, so drf-spectacular documents exactly
what the model may write, and the same fields can validate a client's edits.

Only the shapes the schema uses are mapped; anything else is a TypeError at
import time, so a new kind of field in the schema fails loudly here instead
of being served unchecked.
"""

from enum import Enum
from functools import cache
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from rest_framework import serializers

Constraints = dict[str, Any]

_BOUNDS = {
    annotated_types.MinLen: "min_length",
    annotated_types.MaxLen: "max_length",
    annotated_types.Ge: "ge",
    annotated_types.Le: "le",
}


def schema_fields(
    model: type[BaseModel], *, source: str = "", read_only: bool = False
) -> dict[str, serializers.Field]:
    """One DRF field per field of `model`, in the model's order.

    `source` names the attribute that holds the model's dump (fields then read
    `<source>.<name>`); `read_only` marks the top-level fields read-only.
    """
    fields = {}
    for name, info in model.model_fields.items():
        options: dict[str, Any] = {}
        if info.description:
            options["help_text"] = info.description
        if source:
            options["source"] = f"{source}.{name}"
        if read_only:
            options["read_only"] = True
        fields[name] = schema_field(info.annotation, constraints(info.metadata), **options)
    return fields


@cache
def schema_serializer(model: type[BaseModel]) -> type[serializers.Serializer]:
    """A Serializer class for a nested model, made once so OpenAPI names it once."""
    namespace = {"__module__": __name__, "__doc__": model.__doc__, **schema_fields(model)}
    return type(f"{model.__name__}Serializer", (serializers.Serializer,), namespace)


def add_schema_fields(
    model: type[BaseModel],
    *,
    source: str = "",
    read_only: bool = False,
    overrides: dict[str, serializers.Field] | None = None,
):
    """Class decorator: append `model`'s fields to a Serializer, after its own.
    `overrides` replace some of them by other fields, in their place."""

    def decorate(serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
        # DRF's metaclass has already gathered the class's own fields into
        # `_declared_fields`; appending there keeps them first in the output.
        fields = schema_fields(model, source=source, read_only=read_only) | (overrides or {})
        for name, field in fields.items():
            if name in serializer._declared_fields:
                raise TypeError(f"{serializer.__name__}.{name} clashes with {model.__name__}.{name}")
            serializer._declared_fields[name] = field
        return serializer

    return decorate


def schema_field(annotation: Any, bounds: Constraints, **options: Any) -> serializers.Field:
    """The DRF field for one annotation; `bounds` are the pydantic constraints on it."""
    annotation, inner_bounds = _unannotated(annotation)
    bounds = {**bounds, **inner_bounds}
    if (inner := _optional_of(annotation)) is not None:
        return schema_field(inner, bounds, allow_null=True, **options)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return schema_serializer(annotation)(**options)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return serializers.ChoiceField(choices=[member.value for member in annotation], **options)
    if get_origin(annotation) is Literal:
        return serializers.ChoiceField(choices=list(get_args(annotation)), **options)
    if get_origin(annotation) is list:
        return _list_field(annotation, bounds, **options)
    if annotation is bool:
        return serializers.BooleanField(**options)
    if annotation is int:
        return serializers.IntegerField(min_value=bounds.get("ge"), max_value=bounds.get("le"), **options)
    if annotation is float:
        return serializers.FloatField(min_value=bounds.get("ge"), max_value=bounds.get("le"), **options)
    if annotation is str:
        return _char_field(bounds, **options)
    raise TypeError(f"no serializer field for {annotation!r}")


def constraints(metadata: list[Any]) -> Constraints:
    """Read pydantic's field metadata into plain keyword bounds."""
    bounds: Constraints = {}
    for item in metadata:
        if isinstance(item, FieldInfo):
            bounds |= constraints(item.metadata)
        elif type(item) in _BOUNDS:
            name = _BOUNDS[type(item)]
            bounds[name] = getattr(item, name)
        elif set(vars(item)) == {"pattern"}:  # pydantic's _PydanticGeneralMetadata
            bounds["pattern"] = item.pattern
        else:
            raise TypeError(f"no serializer mapping for the constraint {item!r}")
    return bounds


def _unannotated(annotation: Any) -> tuple[Any, Constraints]:
    if get_origin(annotation) is not Annotated:
        return annotation, {}
    base, *metadata = get_args(annotation)
    return base, constraints(metadata)


def _optional_of(annotation: Any) -> Any | None:
    if get_origin(annotation) not in (Union, UnionType):
        return None
    members = [member for member in get_args(annotation) if member is not NoneType]
    if len(members) != 1:
        raise TypeError(f"no serializer field for the union {annotation!r}")
    return members[0]


def _list_field(annotation: Any, bounds: Constraints, **options: Any) -> serializers.ListField:
    (item,) = get_args(annotation)
    min_length = bounds.get("min_length")
    return serializers.ListField(
        child=schema_field(item, {}),
        min_length=min_length,
        max_length=bounds.get("max_length"),
        allow_empty=not min_length,
        **options,
    )


def _char_field(bounds: Constraints, **options: Any) -> serializers.CharField:
    min_length = bounds.get("min_length")
    options |= {
        "min_length": min_length,
        "max_length": bounds.get("max_length"),
        "allow_blank": not min_length,
    }
    if "pattern" in bounds:
        return serializers.RegexField(bounds["pattern"], **options)
    return serializers.CharField(**options)
