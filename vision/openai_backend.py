"""The `openai` backend: an OpenAI-compatible server (vLLM, SGLang) runs the
model; this process only fits the photos, asks, and checks the answer.

Nothing is downloaded or loaded here, and torch is never imported: a worker
using this backend needs no GPU. The server must serve `config.model` and
support `response_format` json_schema (structured outputs), which keeps its
answer inside the one recipe schema; the answer is validated here as always.
"""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import httpx2
import openai
from PIL import Image

from vision.backend import GenerationOptions, GenerationRequest, VisionConfig
from vision.errors import GenerationIncomplete, ModelUnavailable, VisionError, VisionTransient
from vision.images import image_fit_budget
from vision.prompts import prompt_messages
from vision.schema import Recipe, recipe_json_schema, recipe_parse

logger = logging.getLogger(__name__)

# Statuses that say "not now" rather than "never": a timeout, a lock, a rate
# limit, a server error. The client retries them itself with backoff first.
TRANSIENT_STATUSES = frozenset({408, 409, 429})
JPEG_QUALITY = 90


class OpenAIBackend:
    """Recipes from a served model, through the official `openai` client.

    Building it checks that the server answers and serves `config.model`
    (raising `ModelUnavailable` with one line otherwise). `model_id` is then
    the id the server reports in its latest answer.
    """

    def __init__(self, config: VisionConfig):
        self.config = config
        self.model_id = config.model
        self.batch_size = config.concurrency
        self.client = openai.OpenAI(
            base_url=config.openai_base_url,
            # A server started without --api-key takes any key, but the client insists on one.
            api_key=config.openai_api_key or "EMPTY",
            timeout=config.timeout_seconds,
            max_retries=config.openai_max_retries,
        )
        self._pool = ThreadPoolExecutor(max_workers=config.concurrency, thread_name_prefix="openai-request")
        self._check_served()
        logger.info("vision model %s served at %s", self.model_id, config.openai_base_url)

    def generate(self, images: Sequence[Image.Image], options: GenerationOptions) -> Recipe:
        """Read `images` and return a recipe; raises `VisionError` subclasses:
        `VisionTransient` once the client's retries of a timeout, a dropped
        connection, a 429 or a 5xx are spent."""
        budget = options.max_new_tokens or self.config.max_new_tokens
        try:
            stream = self.client.chat.completions.create(
                model=self.config.model,
                messages=self._messages(images, options),
                response_format=response_format(options.language),
                max_tokens=budget,
                temperature=options.temperature,
                seed=options.seed,
                stream=True,
                stream_options={"include_usage": True},
            )
            text, finish_reason, model = _read(stream, options.on_token)
        except openai.APIStatusError as error:
            if error.status_code in TRANSIENT_STATUSES or error.status_code >= 500:
                raise VisionTransient(f"the inference server answered {error.status_code}") from error
            raise VisionError(f"the inference server refused the request ({error.status_code})") from error
        except (openai.APIError, httpx2.TransportError) as error:  # no connection, a timeout, a stream cut short
            raise VisionTransient(f"the inference server did not answer ({type(error).__name__})") from error
        if model:
            self.model_id = model
        if finish_reason == "length":
            raise GenerationIncomplete(f"the model did not finish the recipe within {budget} tokens")
        return recipe_parse(text)

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Recipe | VisionError]:
        """Send up to `batch_size` requests at once, so the server batches
        them; one result per request, in order, each `VisionError` in its
        slot. Anything else a request raises (its `on_token` stopping it) is
        raised, and requests not yet sent are dropped."""
        futures = [self._pool.submit(self.generate, request.images, request.options) for request in requests]
        results: list[Recipe | VisionError] = []
        try:
            for future in futures:
                try:
                    results.append(future.result())
                except VisionError as error:
                    results.append(error)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return results

    def _messages(self, images: Sequence[Image.Image], options: GenerationOptions) -> list[dict]:
        urls = (self._data_url(image) for image in images)
        messages = prompt_messages(mode=options.mode, language=options.language, image_count=len(images))
        return chat_messages(messages, urls)

    def _data_url(self, image: Image.Image) -> str:
        fitted = image_fit_budget(
            image, max_tokens=self.config.max_visual_tokens, pixels_per_token=self.config.openai_pixels_per_token
        )
        out = io.BytesIO()
        fitted.save(out, "JPEG", quality=JPEG_QUALITY)
        return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")

    def _check_served(self) -> None:
        url = self.config.openai_base_url
        try:
            served = [model.id for model in self.client.models.list()]
        except openai.APIError as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise ModelUnavailable(
                f"the inference server at {url} does not answer ({reason}); start it, or set OPENAI_BASE_URL"
            ) from error
        if self.config.model not in served:
            raise ModelUnavailable(
                f"the inference server at {url} does not serve {self.config.model!r} "
                f"(it serves: {', '.join(served) or 'nothing'}); set VISION_MODEL to the served model's name"
            )


def response_format(language: str | None) -> dict:
    """The `response_format` asking for the recipe schema, strictly; with
    `language`, the schema pins the answer's `language` field to that tag.
    The non-blank patterns are left out: on a server whose grammar engine is
    xgrammar they would cost tens of milliseconds a token, and the rare
    blank answer fails validation here instead."""
    schema = recipe_json_schema(language, non_blank_patterns=False)
    return {"type": "json_schema", "json_schema": {"name": "recipe", "strict": True, "schema": schema}}


def chat_messages(messages: list[dict], image_urls: Iterable[str]) -> list[dict]:
    """`vision.prompts` messages as OpenAI chat messages: each image part
    becomes an `image_url` part taking the next of `image_urls`, in order,
    and a message of text alone becomes a plain string."""
    urls = iter(image_urls)
    converted = []
    for message in messages:
        parts = [
            {"type": "image_url", "image_url": {"url": next(urls)}} if part["type"] == "image" else part
            for part in message["content"]
        ]
        if all(part["type"] == "text" for part in parts):
            converted.append({"role": message["role"], "content": "\n".join(part["text"] for part in parts)})
        else:
            converted.append({"role": message["role"], "content": parts})
    return converted


def _read(stream, on_token: Callable[[int], None] | None) -> tuple[str, str | None, str | None]:
    """The streamed answer's text, finish reason and model id. `on_token` is
    called with the chunks received so far (servers send about one per
    token); what it raises closes the stream, which ends the request."""
    pieces: list[str] = []
    finish_reason = model = None
    chunks = 0
    with stream:
        for chunk in stream:
            model = chunk.model or model
            for choice in chunk.choices:
                if choice.delta.content:
                    pieces.append(choice.delta.content)
                    chunks += 1
                    if on_token is not None:
                        on_token(chunks)
                finish_reason = choice.finish_reason or finish_reason
    return "".join(pieces), finish_reason, model
