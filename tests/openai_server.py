"""An OpenAI-compatible inference server on loopback, for tests of the
`openai` backend: what vLLM or SGLang would be, serving the tiny model
through the project's own transformers backend.

    with OpenAIServer(tiny_backend, served="tiny") as server:
        server.script("status:503", "model")   # the next requests' fates
        ...  # OPENAI_BASE_URL=server.url
        server.requests, server.max_in_flight

Each chat completion takes the next line of the script ("model" once it is
empty) and streams its answer as server-sent events, as those servers do:

    model        the tiny model reads the photos (the schema's pinned
                 `language`, temperature, seed and max_tokens honoured)
    answer:TEXT  TEXT as the answer, finished normally
    length       half an answer, finished for want of tokens
    status:CODE  an error with that HTTP status, at once
    sleep:S      nothing for S seconds (a stalled server), then an error
    hold:N[:LINE]  wait (up to 20 s) until N requests have been in flight
                 at once, then do LINE ("model" when absent)
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections import deque
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from PIL import Image

from vision.backend import GenerationOptions

CHUNK_CHARS = 16


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # one line per request would drown the test output
        pass


class OpenAIServer:
    """`/v1/models` lists `served`; `/v1/chat/completions` follows the
    script. Answers name `reports` as their model (default: the model asked
    for, as vLLM does)."""

    def __init__(self, backend=None, *, served: str = "tiny", reports: str | None = None):
        self.backend = backend
        self.served = served
        self.reports = reports
        self.requests: list[dict] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._script: deque[str] = deque()
        self._changed = threading.Condition()
        self._model_lock = threading.Lock()  # the tiny backend decodes one request at a time
        self._httpd = make_server("127.0.0.1", 0, self._app, server_class=_ThreadingServer, handler_class=_QuietHandler)
        self.url = f"http://127.0.0.1:{self._httpd.server_port}/v1"

    def __enter__(self) -> OpenAIServer:
        threading.Thread(target=self._httpd.serve_forever, name="openai-server", daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def script(self, *lines: str) -> None:
        """Set the fate of the next requests, in order."""
        with self._changed:
            self._script.clear()
            self._script.extend(lines)

    def reset(self) -> None:
        with self._changed:
            self._script.clear()
            self.requests.clear()
            self.max_in_flight = 0

    def images(self, request: dict) -> list[Image.Image]:
        """The photos a recorded request carried, decoded from their data URLs."""
        urls = [
            part["image_url"]["url"]
            for message in request["messages"]
            if isinstance(message["content"], list)
            for part in message["content"]
            if part["type"] == "image_url"
        ]
        return [Image.open(io.BytesIO(base64.b64decode(url.partition(",")[2]))) for url in urls]

    # --- the WSGI application -------------------------------------------------

    def _app(self, environ, start_response):
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if method == "GET" and path == "/v1/models":
            models = {"object": "list", "data": [{"id": self.served, "object": "model", "created": 0, "owned_by": "test"}]}
            return _json(start_response, 200, models)
        if method == "POST" and path == "/v1/chat/completions":
            body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
            return self._chat(body, start_response)
        return _json(start_response, 404, {"error": {"message": f"no route {method} {path}"}})

    def _chat(self, body: dict, start_response):
        with self._changed:
            self.requests.append(body)
            action = self._script.popleft() if self._script else "model"
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self._changed.notify_all()
        try:
            kind, _, argument = action.partition(":")
            while kind == "hold":
                count, _, action = argument.partition(":")
                with self._changed:
                    self._changed.wait_for(lambda n=int(count): self.max_in_flight >= n, timeout=20)
                kind, _, argument = (action or "model").partition(":")
            if kind == "status":
                return _json(start_response, int(argument), {"error": {"message": f"scripted {argument}"}})
            if kind == "sleep":
                time.sleep(float(argument))
                return _json(start_response, 500, {"error": {"message": "too late"}})
            if kind == "answer":
                text, finish = argument, "stop"
            elif kind == "length":
                text, finish = '{"title": "Half a', "length"
            else:
                text, finish = self._generate(body), "stop"
        finally:
            with self._changed:
                self.in_flight -= 1
        start_response("200 OK", [("Content-Type", "text/event-stream")])
        return _events(self.reports or body.get("model"), text, finish)

    def _generate(self, body: dict) -> str:
        schema = body["response_format"]["json_schema"]["schema"]
        options = GenerationOptions(
            language=schema["properties"]["language"].get("const"),
            temperature=body.get("temperature") or 0.0,
            seed=body.get("seed"),
            max_new_tokens=body.get("max_tokens"),
        )
        with self._model_lock:
            return self.backend.generate(self.images(body), options).model_dump_json()


def _json(start_response, status: int, payload: dict) -> list[bytes]:
    start_response(f"{status} Scripted", [("Content-Type", "application/json")])
    return [json.dumps(payload).encode()]


def _events(model: str, text: str, finish: str):
    def event(delta: dict, finish_reason: str | None) -> bytes:
        chunk = {
            "id": "chatcmpl-test",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        }
        return f"data: {json.dumps(chunk)}\n\n".encode()

    yield event({"role": "assistant", "content": ""}, None)
    for start in range(0, len(text), CHUNK_CHARS):
        yield event({"content": text[start : start + CHUNK_CHARS]}, None)
    yield event({}, finish)
    yield b"data: [DONE]\n\n"
