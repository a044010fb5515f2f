from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from recipes_api import errors
from recipes_api.accounts.models import User
from recipes_api.accounts.selectors import username_taken


def user_register(*, username: str, password: str, email: str = "") -> User:
    """Create an account.

    Raises `errors.Conflict` (code `username_taken`) when the username is in
    use in any letter case, and `errors.Invalid` with the password problems
    when Django's password validators reject the password.
    """
    if username_taken(username=username):
        raise _taken()
    user = User(username=username, email=email)
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise errors.Invalid(details={"password": error.messages}) from error
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError as error:  # lost a race with a twin registration
        raise _taken() from error
    return user


def user_delete(*, user: User, password: str) -> None:
    """Delete an account and everything of it: photos, jobs, recipes and
    tokens go with the user row (cascades), and the photo files once the
    deletion commits. Raises `errors.Invalid` (code `password_incorrect`),
    deleting nothing, unless `password` is the account's."""
    if not user.check_password(password):
        raise errors.Invalid(
            "The password is not correct.", code="password_incorrect", details={"password": ["Not correct."]}
        )
    with transaction.atomic():
        user.delete()


def _taken() -> errors.Conflict:
    return errors.Conflict("This username is already taken.", code="username_taken")
