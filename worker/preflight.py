"""`python -m worker.preflight`: make sure the configured vision model is on
disk (building or downloading it) before the service starts, and stop with one
clear line when it cannot be had. With `VISION_BACKEND=openai` nothing is
fetched: the inference server is asked whether it serves the model."""

from __future__ import annotations

import logging
import os
import sys

import django


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recipes_api.settings")
    django.setup()
    from vision import ModelUnavailable, backend_create, model_resolve
    from worker.engine import vision_config

    config = vision_config()
    if config.backend == "openai":
        try:
            backend_create(config)
        except ModelUnavailable as error:
            print(f"platepilot: {error}", file=sys.stderr)
            return 1
        print(f"platepilot: vision model {config.model} served at {config.openai_base_url}")
        return 0
    try:
        resolved = model_resolve(config.model, config.models_dir)
    except ModelUnavailable as error:
        print(f"platepilot: {error}", file=sys.stderr)
        return 1
    print(f"platepilot: vision model {resolved.model_id} ready at {resolved.path}")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sys.exit(main())
