"""The tiny checkpoint through the real transformers code path."""

import json

import jsonschema
import pytest
from transformers import AutoModelForImageTextToText, AutoProcessor

from vision.backend import GenerationOptions, VisionConfig, backend_create
from vision.errors import GenerationIncomplete
from vision.schema import Recipe, recipe_json_schema
from vision.tiny import ARCHITECTURES, SPECIAL_TOKENS, tiny_checkpoint_build

from bench.corpus import learning_corpus

PROCESSORS = {"qwen2_vl": "Qwen2VLProcessor", "qwen2_5_vl": "Qwen2_5_VLProcessor", "qwen3_vl": "Qwen3VLProcessor"}
MODELS = {
    "qwen2_vl": ("Qwen2VLForConditionalGeneration", 28 * 28),
    "qwen2_5_vl": ("Qwen2_5_VLForConditionalGeneration", 28 * 28),
    "qwen3_vl": ("Qwen3VLForConditionalGeneration", 32 * 32),
}


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_it_builds_a_qwen_vl_checkpoint_with_its_own_tokenizer(models_dir, arch):
    path = tiny_checkpoint_build(models_dir, arch=arch)
    processor = AutoProcessor.from_pretrained(path)
    model = AutoModelForImageTextToText.from_pretrained(path)
    assert model.config.model_type == arch
    assert type(processor).__name__ == PROCESSORS[arch]
    assert processor.video_processor is not None
    vocab = processor.tokenizer.get_vocab()
    assert all(token in vocab for token in SPECIAL_TOKENS)
    assert model.config.image_token_id == vocab["<|image_pad|>"]
    prompt = processor.apply_chat_template(
        [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "hi"}]}],
        tokenize=False,
        add_generation_prompt=True,
    )
    assert "<|vision_start|><|image_pad|><|vision_end|>" in prompt
    assert prompt.endswith("<|im_start|>assistant\n")


def test_it_reuses_a_built_checkpoint(models_dir):
    first = tiny_checkpoint_build(models_dir)
    stamp = (first / "model.safetensors").stat().st_mtime_ns
    assert tiny_checkpoint_build(models_dir) == first
    assert (first / "model.safetensors").stat().st_mtime_ns == stamp


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_its_recipes_always_validate_against_the_schema(models_dir, photos, seed):
    backend = backend_create(
        VisionConfig(models_dir=models_dir, model=str(tiny_checkpoint_build(models_dir, seed)), max_new_tokens=768)
    )
    cases = [
        (name, options)
        for name in photos
        for options in (
            GenerationOptions(),
            GenerationOptions(mode="recipe_card", language="my", temperature=1.0, seed=seed),
            GenerationOptions(mode="dish_photo", language="bn", temperature=0.7, seed=seed, max_new_tokens=384),
        )
    ]
    for name, options in cases:
        recipe = backend.generate([photos[name]], options)
        assert isinstance(recipe, Recipe)
        jsonschema.validate(json.loads(recipe.model_dump_json()), recipe_json_schema())


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_it_reads_a_photo_into_a_valid_recipe_with_every_qwen_vl_generation(models_dir, photos, arch):
    # Processor, chat template, vision tower, constrained decoding and
    # validation, for each generation VISION_MODEL may name (Qwen3-VL is the default).
    path = tiny_checkpoint_build(models_dir, arch=arch)
    backend = backend_create(VisionConfig(models_dir=models_dir, model=str(path), max_new_tokens=512))
    model_class, pixels_per_token = MODELS[arch]
    assert type(backend.model).__name__ == model_class
    assert backend.pixels_per_token == pixels_per_token
    recipe = backend.generate([photos["recipe_card.png"]], GenerationOptions(mode="recipe_card", language="ur"))
    jsonschema.validate(json.loads(recipe.model_dump_json()), recipe_json_schema())


def test_it_decodes_greedily_and_repeatably(tiny_backend, photos):
    first = tiny_backend.generate([photos["dish.jpg"]], GenerationOptions())
    second = tiny_backend.generate([photos["dish.jpg"]], GenerationOptions())
    assert first == second


def test_it_closes_the_answer_inside_a_tight_budget(tiny_backend, photos):
    recipe = tiny_backend.generate([photos["dish.jpg"]], GenerationOptions(max_new_tokens=320))
    assert isinstance(recipe, Recipe)


def test_it_says_so_when_the_budget_cannot_hold_a_recipe(tiny_backend, photos):
    with pytest.raises(GenerationIncomplete) as caught:
        tiny_backend.generate([photos["dish.jpg"]], GenerationOptions(max_new_tokens=24))
    assert caught.value.code == "generation_incomplete"


def test_it_reports_the_tiny_model(tiny_backend):
    assert tiny_backend.model_id == "tiny"
    assert tiny_backend.is_tiny


def test_it_builds_a_tokenizer_as_large_as_asked_learned_from_text(models_dir):
    path = tiny_checkpoint_build(models_dir, vocab_size=4096, corpus=learning_corpus())
    tokenizer = AutoProcessor.from_pretrained(path).tokenizer
    config = AutoModelForImageTextToText.from_pretrained(path).config
    assert len(tokenizer) == config.get_text_config().vocab_size == 4096
    # The learned tokens spell real text, in fewer tokens than the small tokenizer.
    small = AutoProcessor.from_pretrained(tiny_checkpoint_build(models_dir)).tokenizer
    text = json.dumps({"title": "Chicken curry", "description": "Les données sont enregistrées"}, ensure_ascii=False)
    assert tokenizer.decode(tokenizer.encode(text)) == text
    assert len(tokenizer.encode(text)) < len(small.encode(text))
    # Learned from text: words and whole characters, few fragments or quotes.
    grown = [tokenizer.decode([token]) for token in range(2048, 4096)]
    assert sum("\ufffd" in piece or '"' in piece for piece in grown) < len(grown) * 0.05


def test_it_needs_text_to_learn_a_larger_vocabulary_from(models_dir):
    with pytest.raises(ValueError, match="learned from text"):
        tiny_checkpoint_build(models_dir, vocab_size=4096, seed=1)


def test_it_describes_a_3b_model_without_writing_its_weights(models_dir):
    from transformers import AutoConfig

    from vision.tiny import tiny_random_weights

    path = tiny_checkpoint_build(models_dir, size="3b", corpus=learning_corpus())
    config = AutoConfig.from_pretrained(path)
    assert config.get_text_config().hidden_size == 2048 and config.get_text_config().num_hidden_layers == 36
    assert config.get_text_config().vocab_size == len(AutoProcessor.from_pretrained(path).tokenizer) == 151936
    assert config.vision_config.depth == 32
    assert not list(path.glob("*.safetensors")) and tiny_random_weights(path)
