"""VISION_FAST_PATH: a static KV cache (compiled on CUDA) decodes the same
recipes as the usual path, and falls back to it where it cannot run."""

import logging

import pytest

from vision import GenerationIncomplete, GenerationOptions, GenerationRequest, VisionConfig, backend_create


def _backend(models_dir, fast_path):
    return backend_create(
        VisionConfig(
            models_dir=models_dir, model="tiny", max_new_tokens=320, batch_size=2, torch_threads=1, fast_path=fast_path
        )
    )


def test_it_writes_the_same_recipes_with_a_static_cache(models_dir, photos, tiny_backend):
    static = _backend(models_dir, "static-eager")
    requests = [
        GenerationRequest([photos["dish.jpg"]], GenerationOptions(max_new_tokens=300)),
        GenerationRequest([photos["recipe_card.png"]], GenerationOptions(mode="recipe_card", language="zh", max_new_tokens=320)),
    ]
    towers = []
    static.model.model.visual.register_forward_hook(lambda module, args, output: towers.append(args[0].shape))

    results = static.generate_batch(requests)

    assert static.fast_path == "static-eager"
    assert results == [tiny_backend.generate(request.images, request.options) for request in requests]
    # The vision tower ran once, for both photos, not once per token.
    assert len(towers) == 1


def test_it_decodes_as_usual_where_compiling_is_unsupported(models_dir, photos, caplog):
    with caplog.at_level(logging.WARNING, logger="vision.transformers_backend"):
        backend = _backend(models_dir, "static")

    assert backend.fast_path == "off"
    assert "CUDA only" in caplog.text
    with pytest.raises(GenerationIncomplete):
        backend.generate([photos["dish.jpg"]], GenerationOptions(max_new_tokens=8))


def test_it_refuses_an_unknown_fast_path(models_dir):
    with pytest.raises(ValueError, match="fast path"):
        _backend(models_dir, "warp")


def test_it_reads_the_fast_path_from_the_settings(settings):
    from worker.engine import vision_config

    settings.VISION_FAST_PATH = "static"

    assert vision_config().fast_path == "static"


def test_it_decodes_as_usual_when_compiling_fails(models_dir, photos, tiny_backend, caplog):
    import torch._dynamo.exc

    backend = _backend(models_dir, "static-eager")
    backend.fast_path = "static"  # as on CUDA, where a compile can fail
    real = backend.model.generate

    def generate(**kwargs):
        if kwargs.get("cache_implementation") == "static":
            raise torch._dynamo.exc.TorchRuntimeError("inductor fell over")
        return real(**kwargs)

    backend.model.generate = generate
    options = GenerationOptions(max_new_tokens=300)
    with caplog.at_level(logging.WARNING, logger="vision.transformers_backend"):
        recipe = backend.generate([photos["dish.jpg"]], options)

    assert recipe == tiny_backend.generate([photos["dish.jpg"]], options)
    assert backend.fast_path == "off"
    assert "failed to compile" in caplog.text
