from tests.moderation.fixtures import *  # noqa: F401,F403
