import pytest


@pytest.fixture
def dish(picture) -> bytes:
    """A plain JPEG dish photo, the same bytes each time it is made."""
    return picture("JPEG", color="tomato")
