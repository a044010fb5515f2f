"""Password rules beyond Django's own validators."""

from django.core.exceptions import ValidationError


class NotBlankValidator:
    """Refuse a password made of whitespace alone: ten spaces pass every
    length rule, and a phone keyboard makes them by accident."""

    def validate(self, password: str, user=None) -> None:
        if not password.strip():
            raise ValidationError("The password cannot be only spaces.", code="password_blank")

    def get_help_text(self) -> str:
        return "Your password cannot be only spaces."
