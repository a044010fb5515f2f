"""Vision backends for fault tests, picked by the worker under test with
`VISION_BACKEND=tests.faults.backends:ScriptedBackend`.

`ScriptedBackend` wraps the real tiny-model backend. Each `generate()` call
(one per job of a batch: `generate_batch` asks them in turn) takes the next line of the file named by `FAULT_SCRIPT` (lines shared by every
worker process of the test; "ok" once the file is empty). A random model's
`is_food` is a coin toss that a thread count can flip, and these tests are
about crashes, not judgement: so an answer is taken as food unless the
script says otherwise (the plain end-to-end tests run the model untouched).

    ok          the real tiny model, its answer taken as food
    slow:MS     the same, MS milliseconds slower per token
    transient   raise VisionTransient (a busy inference server)
    permanent   raise RecipeInvalid
    crash       SIGKILL this worker, as the kernel's OOM killer would
    stuck       hang without producing a token (a forward pass that never returns)
    not_food    the real tiny model, whose answer then says the photo shows no food
    no_recipe   the real tiny model, whose answer then has no ingredients and no steps
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
import signal
import time
from pathlib import Path

from vision import RecipeInvalid, VisionTransient, generate_each
from vision.transformers_backend import TransformersBackend


def script_take(path: Path) -> str:
    """Pop the first line of the script, under a lock shared by processes."""
    with open(path, "a+") as script:
        fcntl.flock(script, fcntl.LOCK_EX)
        script.seek(0)
        lines = script.read().splitlines()
        script.seek(0)
        script.truncate()
        script.write("".join(f"{line}\n" for line in lines[1:]))
    return lines[0].strip() if lines else "ok"


class ScriptedBackend:
    def __init__(self, config):
        self.real = TransformersBackend(config)
        self.model_id = self.real.model_id
        self.batch_size = self.real.batch_size
        self.script = Path(os.environ["FAULT_SCRIPT"])

    def generate_batch(self, requests):
        return generate_each(self, requests)

    def generate(self, images, options):
        action = script_take(self.script)
        print(f"scripted backend: {action}", flush=True)
        if action == "transient":
            raise VisionTransient("the inference server answered 503")
        if action == "permanent":
            raise RecipeInvalid("not a recipe")
        if action == "crash":
            os.kill(os.getpid(), signal.SIGKILL)
        if action == "stuck":
            time.sleep(3600)
        if action.startswith("slow:"):
            options = dataclasses.replace(options, on_token=_slowed(options.on_token, int(action[5:]) / 1000))
        recipe = self.real.generate(images, options)
        if action == "not_food":
            return recipe.model_copy(update={"is_food": False})
        if action == "no_recipe":
            return recipe.model_copy(update={"is_food": True, "ingredients": [], "steps": []})
        return recipe.model_copy(update={"is_food": True})

    def generate_batch(self, requests):
        # One script line per request, as if each were generated alone.
        return generate_each(self, requests)


def _slowed(on_token, seconds: float):
    def slow(tokens: int) -> None:
        time.sleep(seconds)
        if on_token is not None:
            on_token(tokens)

    return slow


class UnloadableBackend:
    """A model that fails to load the way a GPU does, with text users must never see."""

    def __init__(self, config):
        raise RuntimeError(
            "CUDA out of memory. Tried to allocate 20.00 GiB; see https://huggingface.co/Qwen for VISION_MODEL"
        )
