from vision import schema


def test_it_builds_the_openapi_schema(anon_client, db):
    r = anon_client.get("/api/schema/", {"format": "json"})

    assert r.status_code == 200
    assert r.json()["info"]["title"] == "Platepilot API"


def test_it_documents_every_recipe_field(anon_client, db):
    components = anon_client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]

    recipe = components["Recipe"]["properties"]
    assert set(schema.Recipe.model_fields) <= set(recipe)
    assert recipe["title"]["maxLength"] == 200
    assert recipe["servings"]["nullable"] is True
    assert recipe["ingredients"]["items"] == {"$ref": "#/components/schemas/Ingredient"}
    assert recipe["confidence"]["maximum"] == 1
    assert set(components["Ingredient"]["properties"]) == {"name", "quantity", "unit", "note", "section"}


def test_it_documents_the_upload_as_multipart(anon_client, db):
    paths = anon_client.get("/api/schema/", {"format": "json"}).json()["paths"]

    upload = paths["/api/v1/photos/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "202" in upload["responses"]


def test_it_serves_the_docs_page(anon_client, db):
    r = anon_client.get("/api/docs/")

    assert r.status_code == 200


def test_it_documents_the_job_events_as_a_stream(anon_client, db):
    paths = anon_client.get("/api/schema/", {"format": "json"}).json()["paths"]

    events = paths["/api/v1/jobs/{job_id}/events/"]["get"]
    assert list(events["responses"]["200"]["content"]) == ["text/event-stream"]
    assert "Last-Event-ID" in [parameter["name"] for parameter in events["parameters"]]
