from recipes_api.accounts.models import User


def username_taken(*, username: str) -> bool:
    """Usernames are unique regardless of case: "Alice" is taken once "alice" exists."""
    return User.objects.filter(username__iexact=username).exists()
