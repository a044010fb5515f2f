"""What a failed job tells its owner: one fixed message per error code.

Exception text, file paths, hub URLs and setting names go to the worker's log,
never to a user; a phone app branches on the code and may show the message.
"""

JOB_ERROR_MESSAGES = {
    "not_food": "We could not find a dish or a recipe in this photo. Try another photo, or choose another mode.",
    "generation_incomplete": "The photo could not be turned into a complete recipe. Try again, or try a clearer photo.",
    "recipe_invalid": "The photo could not be turned into a usable recipe. Try again, or try a clearer photo.",
    "model_unavailable": "Recipe reading is not available right now. Please try again later.",
    "timed_out": "Reading this photo took too long. Try again, or try a clearer photo.",
    "attempts_exhausted": "This photo could not be read after several tries. Please try again later.",
    "photo_missing": "This photo was deleted before it could be read.",
    "internal_error": "Something went wrong on our side while reading this photo. Please try again later.",
}


def job_error_message(code: str) -> str:
    """The message for `code`; an unknown code gets the generic one."""
    return JOB_ERROR_MESSAGES.get(code, JOB_ERROR_MESSAGES["internal_error"])
