from django import template

from recipes_api.moderation.selectors import moderation_dashboard

register = template.Library()


@register.simple_tag
def dashboard() -> dict:
    """The admin index's counts (see `selectors.moderation_dashboard`)."""
    return moderation_dashboard()
