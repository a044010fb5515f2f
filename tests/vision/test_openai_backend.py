"""The `openai` backend against an OpenAI-compatible server on loopback that
serves the tiny model (tests/openai_server.py), plus scripted failures."""

import dataclasses
import math
import time

import pytest

from tests.live import free_port
from tests.openai_server import OpenAIServer
from vision.backend import GenerationOptions, GenerationRequest, VisionConfig, backend_create
from vision.errors import GenerationIncomplete, ModelUnavailable, RecipeInvalid, VisionError, VisionTransient
from vision.schema import Recipe

MAX_VISUAL_TOKENS = 256


@pytest.fixture(scope="module")
def server(tiny_backend):
    with OpenAIServer(tiny_backend, served="tiny") as server:
        yield server


@pytest.fixture
def served(server, models_dir):
    """served(**config) -> an `openai` backend on the test server, built fresh."""
    server.reset()

    def build(**overrides):
        config = VisionConfig(
            models_dir=models_dir,
            backend="openai",
            model="tiny",
            max_new_tokens=768,
            max_visual_tokens=MAX_VISUAL_TOKENS,
            openai_base_url=server.url,
            openai_max_retries=2,
            timeout_seconds=30,
        )
        return backend_create(dataclasses.replace(config, **overrides))

    return build


@pytest.fixture
def card(photos):
    return photos["recipe_card.png"]


@pytest.fixture
def answer(a_recipe):
    """A valid recipe as a scripted answer, where the point is not the model."""
    return f"answer:{a_recipe().model_dump_json()}"


def test_it_reads_a_recipe_from_the_served_tiny_model(served, server, card):
    backend = served()

    recipe = backend.generate([card], GenerationOptions(language="de"))

    assert isinstance(recipe, Recipe)
    assert recipe.language == "de"
    [request] = server.requests
    assert request["model"] == "tiny"
    assert request["max_tokens"] == 768
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["strict"] is True
    assert request["response_format"]["json_schema"]["schema"]["properties"]["language"]["const"] == "de"


def test_it_sends_the_photo_as_a_jpeg_within_the_visual_token_budget(served, server, card, answer):
    backend = served()
    server.script(answer)

    backend.generate([card, card], GenerationOptions())

    system, user = server.requests[0]["messages"]
    assert (system["role"], type(system["content"])) == ("system", str)
    assert [part["type"] for part in user["content"]] == ["image_url", "image_url", "text"]
    sent = server.images(server.requests[0])
    assert [image.format for image in sent] == ["JPEG", "JPEG"]
    assert card.width * card.height > MAX_VISUAL_TOKENS * 28 * 28
    assert all(math.prod(image.size) <= MAX_VISUAL_TOKENS * 28 * 28 for image in sent)
    assert sent[0].width / sent[0].height == pytest.approx(card.width / card.height, rel=0.02)


def test_it_records_the_model_id_the_server_reports(served, card, answer):
    with OpenAIServer(served="qwen", reports="Qwen/Qwen2.5-VL-3B-Instruct") as renamed:
        backend = served(model="qwen", openai_base_url=renamed.url)
        renamed.script(answer)

        backend.generate([card], GenerationOptions())

    assert backend.model_id == "Qwen/Qwen2.5-VL-3B-Instruct"


def test_it_refuses_an_answer_that_breaks_the_schema(served, server, card):
    server.script('answer:{"title": 3, "is_food": "maybe"}')

    with pytest.raises(RecipeInvalid):
        served().generate([card], GenerationOptions())


def test_it_reports_an_answer_cut_off_by_the_token_budget(served, server, card):
    server.script("length")

    with pytest.raises(GenerationIncomplete):
        served().generate([card], GenerationOptions())


def test_it_gives_up_on_a_stalled_server_after_its_timeout(served, server, card):
    server.script("sleep:10")
    backend = served(timeout_seconds=0.5, openai_max_retries=0)

    started = time.monotonic()
    with pytest.raises(VisionTransient):
        backend.generate([card], GenerationOptions())

    assert time.monotonic() - started < 5


def test_it_retries_a_server_error_and_then_succeeds(served, server, card, answer):
    server.script("status:503", "status:429", answer)

    recipe = served().generate([card], GenerationOptions())

    assert isinstance(recipe, Recipe)
    assert len(server.requests) == 3


def test_it_reports_a_busy_server_as_transient_once_retries_are_spent(served, server, card):
    server.script("status:503", "status:503")

    with pytest.raises(VisionTransient):
        served(openai_max_retries=1).generate([card], GenerationOptions())

    assert len(server.requests) == 2


def test_it_keeps_its_whole_batch_in_flight_at_once(served, server, card, answer):
    backend = served(concurrency=4)
    server.script(*[f"hold:4:{answer}"] * 4)

    results = backend.generate_batch([GenerationRequest([card], GenerationOptions()) for _ in range(4)])

    assert backend.batch_size == 4
    assert server.max_in_flight == 4
    assert all(isinstance(result, Recipe) for result in results)


def test_it_puts_one_requests_failure_in_its_own_slot(served, server, card, answer):
    backend = served(concurrency=1)  # one at a time, so the script's order is the requests' order
    server.script(answer, 'answer:{"title": 3}', answer)

    results = backend.generate_batch([GenerationRequest([card], GenerationOptions()) for _ in range(3)])

    assert [type(result) for result in results] == [Recipe, RecipeInvalid, Recipe]


def test_it_follows_progress_and_stops_when_on_token_raises(served, server, card, answer):
    server.script(answer)
    seen = []

    class Stop(Exception):
        pass

    def on_token(tokens):
        seen.append(tokens)
        if tokens == 3:
            raise Stop()

    with pytest.raises(Stop):
        served().generate([card], GenerationOptions(on_token=on_token))

    assert seen == [1, 2, 3]


def test_it_refuses_to_start_when_the_server_does_not_serve_the_model(served):
    with pytest.raises(ModelUnavailable, match="does not serve 'Qwen/Qwen2.5-VL-3B-Instruct'.*serves: tiny"):
        served(model="Qwen/Qwen2.5-VL-3B-Instruct")


def test_it_refuses_to_start_when_no_server_answers(served):
    with pytest.raises(ModelUnavailable, match="does not answer"):
        served(openai_base_url=f"http://127.0.0.1:{free_port()}/v1", openai_max_retries=0)


def test_it_is_a_vision_error_when_the_server_refuses_the_request(served, server, card):
    server.script("status:400")

    with pytest.raises(VisionError) as raised:
        served().generate([card], GenerationOptions())

    assert not isinstance(raised.value, VisionTransient)
