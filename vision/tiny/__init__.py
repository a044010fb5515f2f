"""The project's own tiny Qwen-VL checkpoint, for tests and offline runs.

It has the real Qwen2.5-VL architecture (vision tower, merger, M-RoPE text
model; Qwen2-VL and Qwen3-VL on request, see ARCHITECTURES), random weights, and its own small byte-level BPE tokenizer carrying
the Qwen special tokens and a chat template. It loads through exactly the same
`AutoProcessor` / `AutoModelForImageTextToText` path as a real checkpoint, so
everything but the quality of its answers is exercised. Its recipes are
nonsense, yet constrained decoding keeps them schema-valid.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from vision.schema import recipe_json_schema

logger = logging.getLogger(__name__)

TINY = "tiny"
# Bump when the recipe below changes, so cached checkpoints are rebuilt.
TINY_VERSION = 2
# Written into every tiny checkpoint, so a folder path can be recognised as one.
TINY_MARKER = "platepilot-tiny.json"

HERE = Path(__file__).resolve().parent

SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
]

VOCAB_SIZE = 2048
MERGE_SIZE = 2
# Few visual tokens keep the tiny model quick on a CPU.
MAX_VISUAL_TOKENS = 64
MIN_VISUAL_TOKENS = 4

# The architectures the tiny builder knows: the one `VISION_MODEL=tiny` uses,
# the family of the default real model, and the oldest generation a deployment
# may still point VISION_MODEL at, so every code path is tested.
ARCHITECTURES = ("qwen2_vl", "qwen2_5_vl", "qwen3_vl")

# Sizes a checkpoint can be built at: "tiny", quick on a CPU, and "3b", the
# dimensions of Qwen2.5-VL-3B-Instruct with its 151,936-token vocabulary,
# for speed benchmarks. A "3b" checkpoint holds no weights (7 GB of noise are
# not worth writing): the backend draws them at random as it loads.
SIZES = ("tiny", "3b")
QWEN_VOCAB_SIZE = 151936


def tiny_checkpoint_path(
    models_dir: str | os.PathLike[str],
    seed: int = 0,
    arch: str = "qwen2_5_vl",
    vocab_size: int = VOCAB_SIZE,
    size: str = "tiny",
) -> Path:
    """Where the checkpoint for `seed`, `arch`, `vocab_size` and `size` lives under `models_dir`."""
    vocab = "" if vocab_size == VOCAB_SIZE else f"-vocab{vocab_size}"
    prefix = "tiny" if size == "tiny" else f"random-{size}"
    return Path(models_dir) / f"{prefix}-{arch}-v{TINY_VERSION}-seed{seed}{vocab}"


def tiny_checkpoint_build(
    models_dir: str | os.PathLike[str],
    seed: int = 0,
    arch: str = "qwen2_5_vl",
    vocab_size: int = VOCAB_SIZE,
    size: str = "tiny",
    corpus: Iterable[str] | None = None,
) -> Path:
    """Build the tiny checkpoint once and return its folder.

    `arch` is one of ARCHITECTURES. `vocab_size` above the default grows the
    tokenizer to that many real tokens (151936 is Qwen's) with merges learned
    from `corpus`, lines of text, so that grammar work costs what it costs on
    a real model (see `_grown`); a larger vocabulary needs one.
    `size` is one of SIZES; "3b" implies Qwen2.5-VL and Qwen's vocabulary
    size, and writes no weights. The build goes to a temporary folder that is renamed into place, so two
    processes racing to build it never see half a checkpoint.
    """
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown tiny architecture {arch!r}; expected one of {ARCHITECTURES}")
    if size not in SIZES:
        raise ValueError(f"unknown checkpoint size {size!r}; expected one of {SIZES}")
    if size == "3b":
        arch, vocab_size = "qwen2_5_vl", QWEN_VOCAB_SIZE
    if vocab_size < VOCAB_SIZE:
        raise ValueError(f"the tiny vocabulary has at least {VOCAB_SIZE} tokens, not {vocab_size}")
    target = tiny_checkpoint_path(models_dir, seed, arch, vocab_size, size)
    if (target / "config.json").exists():
        return target
    if vocab_size > VOCAB_SIZE and corpus is None:  # a built one is used as it is
        raise ValueError(f"a {vocab_size}-token vocabulary is learned from text: pass a corpus")
    target.parent.mkdir(parents=True, exist_ok=True)
    logger.warning("building the tiny random Qwen-VL checkpoint at %s (nonsense recipes, for tests)", target)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".building-") as scratch:
        _write_checkpoint(Path(scratch), seed, arch, vocab_size, size, corpus)
        try:
            os.rename(scratch, target)
        except OSError:
            if not (target / "config.json").exists():
                raise
        else:
            os.mkdir(scratch)  # TemporaryDirectory cleans up the name it made
    return target


def _write_checkpoint(
    folder: Path,
    seed: int,
    arch: str,
    vocab_size: int = VOCAB_SIZE,
    size: str = "tiny",
    corpus: Iterable[str] | None = None,
) -> None:
    import torch
    import transformers

    names = {
        "qwen2_vl": ("Qwen2VL", "Qwen2VLVideoProcessor", 14),
        "qwen2_5_vl": ("Qwen2_5_VL", "Qwen2VLVideoProcessor", 14),
        "qwen3_vl": ("Qwen3VL", "Qwen3VLVideoProcessor", 16),
    }
    prefix, video_processor, patch_size = names[arch]
    pixels_per_token = (patch_size * MERGE_SIZE) ** 2
    # A real model reads up to 16,384 visual tokens; the backend's budget
    # caps photos long before that.
    max_visual_tokens = MAX_VISUAL_TOKENS if size == "tiny" else 16384
    tokenizer = _tokenizer(vocab_size, corpus)
    processor = getattr(transformers, f"{prefix}Processor")(
        image_processor=transformers.Qwen2VLImageProcessor(
            min_pixels=MIN_VISUAL_TOKENS * pixels_per_token,
            max_pixels=max_visual_tokens * pixels_per_token,
            patch_size=patch_size,
            merge_size=MERGE_SIZE,
        ),
        tokenizer=tokenizer,
        video_processor=getattr(transformers, video_processor)(patch_size=patch_size, merge_size=MERGE_SIZE),
        chat_template=(HERE / "chat_template.jinja").read_text(),
    )
    processor.save_pretrained(folder)

    config = getattr(transformers, f"{prefix}Config")(
        text_config=_text_config(tokenizer, arch) | (QWEN_3B_TEXT if size == "3b" else {}),
        vision_config=_vision_config(arch, patch_size) | (QWEN_3B_VISION if size == "3b" else {}),
        tie_word_embeddings=size == "3b",
        image_token_id=tokenizer.convert_tokens_to_ids("<|image_pad|>"),
        video_token_id=tokenizer.convert_tokens_to_ids("<|video_pad|>"),
        vision_start_token_id=tokenizer.convert_tokens_to_ids("<|vision_start|>"),
        vision_end_token_id=tokenizer.convert_tokens_to_ids("<|vision_end|>"),
    )
    generation = transformers.GenerationConfig(
        eos_token_id=[tokenizer.eos_token_id, tokenizer.pad_token_id], pad_token_id=tokenizer.pad_token_id
    )
    if size == "tiny":
        torch.manual_seed(seed)
        model = getattr(transformers, f"{prefix}ForConditionalGeneration")(config).eval()
        model.generation_config = generation
        model.save_pretrained(folder)
    else:
        config.save_pretrained(folder)
        generation.save_pretrained(folder)
    marker = {"tiny": True, "version": TINY_VERSION, "seed": seed, "arch": arch, "size": size}
    if size != "tiny":
        marker["weights"] = "random"
    (folder / TINY_MARKER).write_text(json.dumps(marker))


# Qwen2.5-VL-3B-Instruct's dimensions, as its published config.json gives them.
QWEN_3B_TEXT = {
    "hidden_size": 2048,
    "intermediate_size": 11008,
    "num_hidden_layers": 36,
    "num_attention_heads": 16,
    "num_key_value_heads": 2,
    "max_position_embeddings": 128000,
    "rms_norm_eps": 1e-6,
    "rope_parameters": {"rope_type": "default", "rope_theta": 1_000_000.0, "mrope_section": [16, 24, 24]},
}
QWEN_3B_VISION = {
    "depth": 32,
    "hidden_size": 1280,
    "intermediate_size": 3420,
    "num_heads": 16,
    "out_hidden_size": 2048,
    "hidden_act": "silu",
    "window_size": 112,
    "fullatt_block_indexes": [7, 15, 23, 31],
}


def tiny_random_weights(path: Path) -> bool:
    """Whether the checkpoint at `path` is one whose weights are drawn at random on loading."""
    marker = Path(path) / TINY_MARKER
    return marker.exists() and json.loads(marker.read_text()).get("weights") == "random"


def _vision_config(arch: str, patch_size: int) -> dict:
    if arch == "qwen2_vl":
        # Qwen2-VL names its sizes differently: embed_dim is the tower's width,
        # hidden_size the width it hands the text model.
        return {
            "depth": 2,
            "embed_dim": 32,
            "hidden_size": 64,
            "mlp_ratio": 2,
            "num_heads": 2,
            "patch_size": patch_size,
            "spatial_merge_size": MERGE_SIZE,
            "temporal_patch_size": 2,
        }
    shared = {
        "depth": 2,
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_heads": 2,
        "out_hidden_size": 64,
        "patch_size": patch_size,
        "spatial_merge_size": MERGE_SIZE,
        "temporal_patch_size": 2,
    }
    if arch == "qwen3_vl":
        return shared | {"num_position_embeddings": 256, "deepstack_visual_indexes": [0]}
    return shared | {"window_size": 112, "fullatt_block_indexes": [1]}


def _text_config(tokenizer, arch: str) -> dict:
    hidden, heads = 64, 4
    half_head_dim = hidden // heads // 2
    extra = {"head_dim": hidden // heads} if arch == "qwen3_vl" else {}
    return extra | {
        "vocab_size": len(tokenizer),
        "hidden_size": hidden,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": heads,
        "num_key_value_heads": 2,
        "max_position_embeddings": 8192,
        # M-RoPE splits each head's rotary half into time, height and width.
        "rope_parameters": {
            "rope_type": "default",
            "rope_theta": 1_000_000.0,
            "mrope_section": [half_head_dim - 2 * (half_head_dim // 3), half_head_dim // 3, half_head_dim // 3],
        },
        "bos_token_id": tokenizer.pad_token_id,
        "eos_token_id": tokenizer.eos_token_id,
        "pad_token_id": tokenizer.pad_token_id,
    }


def _tokenizer(vocab_size: int = VOCAB_SIZE, corpus: Iterable[str] | None = None):
    """A byte-level BPE tokenizer trained on a small multilingual food corpus
    plus the recipe schema, so JSON keys are a token or two each; grown to
    `vocab_size` tokens from `corpus` by `_grown`."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    food = (HERE / "corpus.txt").read_text().splitlines()
    food.append(json.dumps(recipe_json_schema(), ensure_ascii=False))
    food.append(json.dumps(recipe_json_schema(), ensure_ascii=False, separators=(",", ":")))

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(food, trainer)
    if vocab_size > VOCAB_SIZE:
        bpe = _grown(bpe, vocab_size, corpus)
    return PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=SPECIAL_TOKENS[1:],
        model_max_length=8192,
    )


def _grown(bpe, vocab_size: int, corpus: Iterable[str]):
    """`bpe` with the merges a byte-level BPE learns from `corpus` appended,
    in the order learned, until it has `vocab_size` tokens.

    A real model's vocabulary is learned from text: its tokens are words,
    pieces of words and whole characters, and few hold a quote or a fragment
    of a UTF-8 character. Those few are what the grammar must check one by
    one inside a string. Merges of random pairs of tokens, used before, made
    77% of a 151,936-token vocabulary UTF-8 fragments and 14% hold a quote,
    and a fill inside a string cost 2.6 ms against 0.1 ms for a vocabulary
    learned from text. The same corpus gives the same tokenizer."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    learner = Tokenizer(models.BPE())
    learner.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size + VOCAB_SIZE,  # some of what it learns, the small tokenizer has
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    learner.train_from_iterator(corpus, trainer)
    spec = json.loads(bpe.to_str())
    vocab, merges = spec["model"]["vocab"], spec["model"]["merges"]
    for left, right in json.loads(learner.to_str())["model"]["merges"]:
        if len(vocab) >= vocab_size:
            break
        if left + right not in vocab:
            vocab[left + right] = len(vocab)
            merges.append([left, right])
    if len(vocab) < vocab_size:
        raise ValueError(f"the corpus teaches {len(vocab)} tokens, fewer than {vocab_size}: give more text")
    return Tokenizer.from_str(json.dumps(spec))
