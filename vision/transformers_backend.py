"""The `transformers` backend: any Qwen-VL family checkpoint, in process.

The processor and model load once, when the backend is built (once per worker
process); each `generate()` call then runs one constrained decode.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import torch
from PIL import Image
from transformers import AutoModelForImageTextToText, AutoProcessor, LogitsProcessorList

from vision.backend import GenerationOptions, GenerationRequest, VisionConfig, generate_each
from vision.constraint import RecipeGrammar
from vision.errors import VisionError
from vision.images import image_fit_budget
from vision.models import model_resolve
from vision.prompts import prompt_messages
from vision.schema import Recipe

logger = logging.getLogger(__name__)


class TransformersBackend:
    """Qwen-VL through `AutoProcessor` + `AutoModelForImageTextToText`."""

    def __init__(self, config: VisionConfig):
        if config.torch_threads is not None:
            _threads_limit(config.torch_threads)
        resolved = model_resolve(config.model, config.models_dir)
        self.model_id = resolved.model_id
        self.is_tiny = resolved.is_tiny
        self.config = config
        self.device = _device(config.device)
        self.batch_size = batch_size_resolve(config.batch_size, self.device)
        self.processor = AutoProcessor.from_pretrained(resolved.path)
        self.model = AutoModelForImageTextToText.from_pretrained(
            resolved.path, dtype=_dtype(config.dtype, self.device)
        ).to(self.device)
        self.model.eval()
        self.stop_token_ids = _stop_token_ids(self.model, self.processor.tokenizer)
        self.grammar = RecipeGrammar.compile(
            self.processor.tokenizer, self.model.config.get_text_config().vocab_size, self.stop_token_ids
        )
        image_processor = self.processor.image_processor
        self.pixels_per_token = (image_processor.patch_size * image_processor.merge_size) ** 2
        if self.is_tiny:
            logger.warning("vision model: the TINY random checkpoint (recipes are nonsense, for tests/offline)")
        logger.info("vision model %s loaded on %s", self.model_id, self.device)

    def generate(self, images: Sequence[Image.Image], options: GenerationOptions) -> Recipe:
        """Read `images` and return a recipe; raises `VisionError` subclasses."""
        budget = options.max_new_tokens or self.config.max_new_tokens
        inputs = self._inputs(images, options)
        constraint = self.grammar.processor(budget=budget, on_token=options.on_token, language=options.language)
        if options.seed is not None:
            torch.manual_seed(options.seed)
        with torch.inference_mode():
            output = self.model.generate(
                **inputs,
                logits_processor=LogitsProcessorList([constraint]),
                max_new_tokens=budget,
                eos_token_id=self.stop_token_ids,
                pad_token_id=self.stop_token_ids[0],
                **_sampling(options.temperature),
            )
        new_tokens = output[0, inputs["input_ids"].shape[1] :].tolist()
        return constraint.answer(new_tokens)

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Recipe | VisionError]:
        """One result per request, in order; see `VisionBackend.generate_batch`."""
        return generate_each(self, requests)

    def _inputs(self, images: Sequence[Image.Image], options: GenerationOptions):
        fitted = [
            image_fit_budget(image, max_tokens=self.config.max_visual_tokens, pixels_per_token=self.pixels_per_token)
            for image in images
        ]
        messages = prompt_messages(mode=options.mode, language=options.language, image_count=len(fitted))
        text = self.processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        inputs = self.processor(text=[text], images=fitted or None, return_tensors="pt")
        return inputs.to(self.device)


def _threads_limit(threads: int) -> None:
    # Each of torch's pools defaults to one thread per core; two workers on a
    # small machine then oversubscribe it and both crawl. The limit is per
    # process, which is what a worker is.
    if threads < 1:
        raise ValueError(f"torch_threads must be at least 1, not {threads}")
    torch.set_num_threads(threads)
    try:
        # Only possible before torch's first parallel work in this process;
        # later it raises, and the intra-op limit above is what matters for decoding.
        torch.set_num_interop_threads(threads)
    except RuntimeError:
        logger.info("torch inter-op threads already fixed at %d", torch.get_num_interop_threads())


def batch_size_resolve(batch_size: int | None, device: torch.device) -> int:
    """`batch_size`, or for None the default: 1 on a CPU (rows would only
    share its few cores), 8 on CUDA (decoding is bandwidth-bound, so rows
    come nearly free)."""
    if batch_size is None:
        return 8 if device.type == "cuda" else 1
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    return batch_size


def _device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def _dtype(name: str, device: torch.device) -> torch.dtype:
    if name == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    return getattr(torch, name)


def _stop_token_ids(model, tokenizer) -> list[int]:
    configured = model.generation_config.eos_token_id
    ids = configured if isinstance(configured, list) else [configured]
    ids = [i for i in ids if i is not None] or [tokenizer.eos_token_id]
    return list(dict.fromkeys(ids))


def _sampling(temperature: float) -> dict:
    if temperature <= 0:
        return {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
    return {"do_sample": True, "temperature": temperature}
