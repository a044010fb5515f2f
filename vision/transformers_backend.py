"""The `transformers` backend: any Qwen-VL family checkpoint, in process.

The processor and model load once, when the backend is built (once per worker
process); each `generate_batch()` call then runs constrained decodes of up to
`batch_size` requests at a time, and `generate()` is a batch of one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import torch
import torch._dynamo.exc
import torch._inductor.exc
from PIL import Image
from transformers import AutoModelForImageTextToText, AutoProcessor, LogitsProcessorList, StoppingCriteriaList

from vision.backend import GenerationOptions, GenerationRequest, VisionConfig, batch_size_resolve
from vision.batch_constraint import BatchConstraint, RowSpec
from vision.constraint import RecipeGrammar
from vision.errors import VisionError
from vision.images import image_fit_budget
from vision.models import model_resolve
from vision.prompts import prompt_messages
from vision.schema import Recipe
from vision.tiny import tiny_random_weights

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
        self.batch_size = batch_size_resolve(config.batch_size, self.device.type)
        self.processor = AutoProcessor.from_pretrained(resolved.path)
        # Rows of a batch end where their prompts end, so that each row's
        # answer starts at the same column.
        self.processor.tokenizer.padding_side = "left"
        self.model = _model_load(resolved.path, _dtype(config.dtype, self.device), self.device)
        self.model.eval()
        self.fast_path = fast_path_resolve(config.fast_path, self.device, self.model)
        self.stop_token_ids = _stop_token_ids(self.model, self.processor.tokenizer)
        vocab_size = self.model.config.get_text_config().vocab_size
        self.grammar = RecipeGrammar.compile(self.processor.tokenizer, vocab_size, self.stop_token_ids, self.device)
        image_processor = self.processor.image_processor
        self.pixels_per_token = (image_processor.patch_size * image_processor.merge_size) ** 2
        if self.is_tiny:
            logger.warning(
                "vision model: a RANDOM checkpoint built by the project (nonsense recipes: tests, offline, benchmarks)"
            )
        logger.info(
            "vision model %s loaded on %s (batches of %d, fast path %s)",
            self.model_id,
            self.device,
            self.batch_size,
            self.fast_path,
        )

    def generate(self, images: Sequence[Image.Image], options: GenerationOptions) -> Recipe:
        """Read `images` and return a recipe; raises `VisionError` subclasses."""
        (result,) = self.generate_batch([GenerationRequest(images, options)])
        if isinstance(result, VisionError):
            raise result
        return result

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Recipe | VisionError]:
        """One result per request, in order; see `VisionBackend.generate_batch`.

        Requests that decode alike (greedy, or sampling at one temperature
        from one seed) run as one left-padded batch of at most `batch_size`
        rows; each row keeps its own grammar, budget and outcome.
        """
        results: list[Recipe | VisionError | None] = [None] * len(requests)
        for indices in _batches(requests, self.batch_size):
            decoded = self._decode([requests[index] for index in indices])
            for index, result in zip(indices, decoded, strict=True):
                results[index] = result
        return results

    def _decode(self, requests: Sequence[GenerationRequest]) -> list[Recipe | VisionError]:
        """One constrained `generate()` over `requests`, which share their sampling settings."""
        rows = [
            RowSpec(
                budget=request.options.max_new_tokens or self.config.max_new_tokens,
                language=request.options.language,
                on_token=request.options.on_token,
            )
            for request in requests
        ]
        options = requests[0].options
        greedy = options.temperature <= 0
        constraint = self.grammar.processor(rows, greedy=greedy)
        inputs = self._inputs_batch(requests)
        prompt_length = inputs["input_ids"].shape[1]
        if options.seed is not None:
            torch.manual_seed(options.seed)
        budget = max(row.budget for row in rows)
        try:
            output = self._generate(inputs, constraint, budget, options.temperature)
        except COMPILE_ERRORS as error:
            if self.fast_path != "static":
                raise
            # Compiling is the least tested part of the stack: a model or a
            # torch version it fails on decodes as usual rather than not at all.
            logger.warning("fast path 'static' failed to compile (%s); decoding as usual from now on", error)
            self.fast_path = "off"
            constraint = self.grammar.processor(rows, greedy=greedy)
            if options.seed is not None:
                torch.manual_seed(options.seed)
            output = self._generate(inputs, constraint, budget, options.temperature)
        results: list[Recipe | VisionError] = []
        for index, row in enumerate(rows):
            tokens = _row_tokens(output[index, prompt_length:].tolist(), row.budget, self.stop_token_ids)
            try:
                results.append(constraint.answer(tokens, index))
            except VisionError as error:
                results.append(error)
        return results

    def _generate(self, inputs, constraint: BatchConstraint, budget: int, temperature: float) -> torch.Tensor:
        """`model.generate` over `inputs` under `constraint`, each row's prompt then its answer."""
        with torch.inference_mode():
            return self.model.generate(
                **inputs,
                logits_processor=LogitsProcessorList([constraint]),
                stopping_criteria=StoppingCriteriaList([constraint.stopping_criterion]),
                max_new_tokens=self._generate_length(inputs["input_ids"].shape[1], budget),
                # The constraint stops each row, and a finished row's mask
                # allows only stop tokens: transformers' own stop check and
                # padding would redo that work at every step.
                eos_token_id=None,
                pad_token_id=self.stop_token_ids[0],
                **FAST_PATHS[self.fast_path],
                **_sampling(temperature),
            )

    def _generate_length(self, prompt_length: int, budget: int) -> int:
        # A static cache is sized prompt + new tokens, and each new size is a
        # new compile: round the total up so that few sizes occur. Rows stop
        # at their own budgets whatever this says.
        if self.fast_path == "off":
            return budget
        return -(-(prompt_length + budget) // STATIC_CACHE_STEP) * STATIC_CACHE_STEP - prompt_length

    def _inputs(self, images: Sequence[Image.Image], options: GenerationOptions):
        return self._inputs_batch([GenerationRequest(images, options)])

    def _inputs_batch(self, requests: Sequence[GenerationRequest]):
        """The processor's tensors for `requests`, one left-padded row each.
        Each request may carry several photos (or none); the processor takes
        them as one list, in the order their placeholders appear."""
        texts, fitted = [], []
        for request in requests:
            images = [
                image_fit_budget(
                    image, max_tokens=self.config.max_visual_tokens, pixels_per_token=self.pixels_per_token
                )
                for image in request.images
            ]
            messages = prompt_messages(
                mode=request.options.mode, language=request.options.language, image_count=len(images)
            )
            texts.append(self.processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))
            fitted.extend(images)
        inputs = self.processor(text=texts, images=fitted or None, padding=True, return_tensors="pt")
        return inputs.to(self.device)


def _batches(requests: Sequence[GenerationRequest], batch_size: int) -> list[list[int]]:
    """Indices of `requests` grouped by how they sample (one temperature and
    one seed per `generate()` call), in order, at most `batch_size` each."""
    groups: dict[tuple, list[int]] = {}
    for index, request in enumerate(requests):
        options = request.options
        key = (0.0, None) if options.temperature <= 0 else (options.temperature, options.seed)
        groups.setdefault(key, []).append(index)
    return [group[start : start + batch_size] for group in groups.values() for start in range(0, len(group), batch_size)]


def _row_tokens(tokens: list[int], budget: int, stop_token_ids: list[int]) -> list[int]:
    """A row's answer: its tokens up to its first stop token (kept) and
    within its own budget; what follows is padding or other rows' time."""
    tokens = tokens[:budget]
    for position, token in enumerate(tokens):
        if token in stop_token_ids:
            return tokens[: position + 1]
    return tokens


# VISION_FAST_PATH: what each setting adds to `generate()`. "static" is a
# static KV cache whose fixed shapes let transformers compile the model's
# forward pass (it does so on CUDA when the cache is static); "static-eager"
# is the same cache without compiling, which also runs on a CPU.
FAST_PATHS = {
    "off": {},
    "static": {"cache_implementation": "static"},
    "static-eager": {"cache_implementation": "static", "disable_compile": True},
}
STATIC_CACHE_STEP = 256
COMPILE_ERRORS: tuple[type[Exception], ...] = (torch._dynamo.exc.TorchDynamoException,) + tuple(
    getattr(torch._inductor.exc, name) for name in ("InductorError",) if hasattr(torch._inductor.exc, name)
)


def fast_path_resolve(name: str, device: torch.device, model) -> str:
    """The fast path to use for `name` (a key of FAST_PATHS): `name`, or
    "off" with a logged warning where it cannot run: "static" compiles only
    on CUDA, and a model that cannot be compiled whole gets neither."""
    if name not in FAST_PATHS:
        raise ValueError(f"unknown fast path {name!r}; expected one of {sorted(FAST_PATHS)}")
    if name == "off":
        return name
    if not getattr(model, "_can_compile_fullgraph", False):
        logger.warning("fast path %r: %s takes no static cache; decoding as usual", name, type(model).__name__)
        return "off"
    if name == "static" and device.type != "cuda":
        logger.warning("fast path 'static' compiles for CUDA only, not %s; decoding as usual", device)
        return "off"
    return name


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



def _model_load(path, dtype: torch.dtype, device: torch.device):
    if not tiny_random_weights(path):
        return AutoModelForImageTextToText.from_pretrained(path, dtype=dtype).to(device)
    # A benchmark's full-size random checkpoint: its weights are drawn here,
    # on the device, rather than read from gigabytes of written noise.
    from transformers import AutoConfig, GenerationConfig

    torch.manual_seed(0)
    with torch.device(device):
        model = AutoModelForImageTextToText.from_config(AutoConfig.from_pretrained(path), dtype=dtype)
    model.generation_config = GenerationConfig.from_pretrained(path)
    return model


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
