"""Data migrations, run forward over rows written before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def _migrate(*target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.parametrize("start", ["0003_recipe_photos", "0006_search_config_index"])
def test_the_list_times_are_copied_out_of_each_recipes_json(a_recipe, django_user_model, start):
    """From before the library (0004 fills its columns) and from just before
    the times became columns (0007)."""
    owner = django_user_model.objects.create_user(username="before-0007", password="a-long-pass-phrase")
    old = _migrate("recipes", start)
    Recipe = old.get_model("recipes", "Recipe")
    times = [(10, 20), (None, 45), (None, None)]
    for prep, cook in times:
        data = a_recipe(prep_minutes=prep, cook_minutes=cook).model_dump(mode="json")
        Recipe.objects.create(owner_id=owner.id, title=data["title"], data=data, model_id="tiny")

    new = _migrate("recipes", "0007_list_times_as_columns")

    recipes = new.get_model("recipes", "Recipe").objects.filter(owner_id=owner.id)
    assert sorted(recipes.values_list("prep_minutes", "cook_minutes"), key=str) == sorted(times, key=str)
    if start < "0004":  # the library's own backfill ran too
        totals = [None if prep is None and cook is None else (prep or 0) + (cook or 0) for prep, cook in times]
        assert sorted(recipes.values_list("total_minutes", flat=True), key=str) == sorted(totals, key=str)
