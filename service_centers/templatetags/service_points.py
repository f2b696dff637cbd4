"""Small display helpers for the service-network templates."""

from django import template

register = template.Library()


@register.filter
def star_text(stars: int | None) -> str:
    """★★★☆☆ for 3 of 5 stars (an empty string for none given)."""
    if stars is None:
        return ""
    stars = max(0, min(5, int(stars)))
    return "★" * stars + "☆" * (5 - stars)


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key, 0) if mapping else 0
