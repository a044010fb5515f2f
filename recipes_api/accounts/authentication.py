"""Bearer authentication that tells the app what to do about a bad token."""

from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import ExpiredTokenError, InvalidToken, TokenError
from rest_framework_simplejwt.tokens import AccessToken


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = "The access token has expired; get a new one from the refresh route."
    default_code = "token_expired"


class RefreshExpired(exceptions.AuthenticationFailed):
    default_detail = "The refresh token has expired; sign in again."
    default_code = "refresh_expired"


class AccessTokenAuthentication(JWTAuthentication):
    """simplejwt's access tokens, with an expired one answered `token_expired`
    (refresh and retry) rather than `token_not_valid` (sign in again), which
    a forged or malformed token still gets."""

    def get_validated_token(self, raw_token: bytes) -> AccessToken:
        try:
            return AccessToken(raw_token)
        except ExpiredTokenError as error:
            raise TokenExpired() from error
        except TokenError as error:
            raise InvalidToken(error.args[0]) from error
