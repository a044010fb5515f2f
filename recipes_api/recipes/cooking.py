"""Reading a recipe for the kitchen: scaled to other servings, in metric or
US units. Pure functions over the stored `data` (a `vision.schema.Recipe`
dump): they return a changed copy and never touch what is stored.

Units go through pint, restricted to masses and volumes: the model writes
free text ("g", "Tbsp", "a pinch", "2 cloves"), and pint alone would read
"pinch" as a pico-inch and "c" as the speed of light. Anything that is not a
mass or a volume passes through unchanged.
"""

from __future__ import annotations

import copy
from functools import cache

import pint

MASS, VOLUME = "[mass]", "[length] ** 3"
# Spellings pint does not read as the cook means them.
ALIASES = {"t": "tsp", "T": "tbsp", "tbs": "tbsp", "tbl": "tbsp", "c": "cup", "fl oz": "fluid_ounce", "fl. oz": "fluid_ounce"}
# What each system writes, smallest first, as (pint unit, label, largest
# quantity worth writing in it before the next unit up).
TARGETS = {
    "metric": {
        MASS: [("gram", "g", 1000), ("kilogram", "kg", None)],
        VOLUME: [("milliliter", "ml", 1000), ("liter", "l", None)],
    },
    "us": {
        MASS: [("ounce", "oz", 16), ("pound", "lb", None)],
        VOLUME: [("teaspoon", "tsp", 3), ("tablespoon", "tbsp", 4), ("cup", "cup", None)],
    },
}
UNIT_SYSTEMS = tuple(TARGETS)


def recipe_scaled(data: dict, servings: int) -> dict:
    """A copy of `data` for `servings` servings, its ingredient quantities
    scaled to match. Nutrition is per serving and stays. Precondition:
    `data["servings"]` is known (the caller refuses a recipe without it)."""
    factor = servings / data["servings"]
    scaled = copy.deepcopy(data)
    scaled["servings"] = servings
    for ingredient in scaled["ingredients"]:
        if ingredient["quantity"] is not None:
            ingredient["quantity"] = _rounded(ingredient["quantity"] * factor)
    return scaled


def recipe_converted(data: dict, system: str) -> dict:
    """A copy of `data` with every measurable ingredient in `system`
    ("metric" or "us"); unitless and unknown ones ("piece", "a pinch")
    pass through unchanged."""
    converted = copy.deepcopy(data)
    for ingredient in converted["ingredients"]:
        if ingredient["quantity"] is not None:
            ingredient["quantity"], ingredient["unit"] = quantity_converted(
                ingredient["quantity"], ingredient["unit"], system
            )
    return converted


def quantity_converted(quantity: float, unit: str, system: str) -> tuple[float, str]:
    """(quantity, unit) in `system`, in the largest unit that keeps the
    number readable; unchanged when `unit` is no mass or volume pint knows,
    or is already one of `system`'s, or too small to write in it."""
    parsed = _unit(unit)
    if parsed is None:
        return quantity, unit
    dimension = str(parsed.dimensionality)
    steps = TARGETS[system][dimension]
    if str(parsed) in {name for name, _, _ in steps}:
        return quantity, unit
    amount = _registry().Quantity(quantity, parsed)
    for name, label, up_to in steps:
        value = amount.to(name).magnitude
        if up_to is None or value < up_to:
            break
    # A trace (5 mg) would read as 0 oz: better left as written.
    return (_rounded(value), label) if _rounded(value) else (quantity, unit)


@cache
def _registry() -> pint.UnitRegistry:
    return pint.UnitRegistry()


@cache
def _unit(text: str) -> pint.Unit | None:
    """The mass or volume unit `text` names, or None."""
    text = text.strip().rstrip(".")
    if not text:
        return None
    for candidate in (ALIASES.get(text, text), text.lower()):
        try:
            unit = _registry().Unit(ALIASES.get(candidate, candidate))
        except (pint.errors.PintError, ValueError, TypeError, AttributeError, AssertionError):
            continue
        if str(unit.dimensionality) in (MASS, VOLUME):
            return unit
    return None


def _rounded(value: float) -> float:
    """Kitchen precision: whole numbers from 10 up, else two decimals."""
    return float(round(value)) if value >= 10 else round(value, 2)
