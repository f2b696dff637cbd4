"""`{% load portal_maps %}`: a map element's data- attributes and the map's static files.

<div class="portal-map" data-map {% map_attrs %} aria-label="..."></div>
{% block head %}{% map_assets %}{% endblock %}   {# Leaflet's CSS and ours #}
{% block scripts %}{% map_scripts %}<script src="{% static 'app/page_map.js' %}" defer></script>{% endblock %}
"""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join

from grids.map_display import display_position, map_config
from grids.models import PATH_STEP
from grids.viewer import minimal_prefixes

register = template.Library()

LEAFLET = "vendor/leaflet-1.9.4/"
CLUSTER = "vendor/leaflet.markercluster-1.5.3/"


@register.simple_tag
def map_attrs() -> str:
    """data-tile-url, data-tile-attribution and data-crs from the settings (no tiles: vectors only)."""
    config = map_config()
    return format_html(
        'data-tile-url="{}" data-tile-attribution="{}" data-crs="{}"',
        config.tile_url,
        config.tile_attribution,
        config.crs,
    )


@register.simple_tag
def map_assets(cluster: bool = False) -> str:
    sheets = [LEAFLET + "leaflet.css"]
    if cluster:
        sheets += [CLUSTER + "MarkerCluster.css"]
    sheets.append("css/maps.css")
    return format_html_join("", '<link rel="stylesheet" href="{}">', ((static(path),) for path in sheets))


@register.simple_tag
def map_scripts(cluster: bool = False) -> str:
    scripts = [LEAFLET + "leaflet.js"]
    if cluster:
        scripts.append(CLUSTER + "leaflet.markercluster.js")
    scripts.append("js/maps.js")
    return format_html_join("", '<script src="{}" defer></script>', ((static(path),) for path in scripts))


@register.simple_tag
def display_point(lat, lng) -> list[float] | None:
    """`{% display_point form.latitude.value form.longitude.value as at %}`: a stored (WGS-84) point in the
    tiles' system, None when either is empty or not a number."""
    try:
        return display_position(float(lat), float(lng)) if lat not in (None, "") and lng not in (None, "") else None
    except (TypeError, ValueError):
        return None


@register.simple_tag(takes_context=True)
def map_home_units(context, limit: int = 4) -> list[dict]:
    """The top units of the viewer's posts ({id, level}), whose boundaries a map of "my grids" draws first."""
    viewer = getattr(context.get("request"), "viewer", None)
    if viewer is None or not viewer.is_person:
        return []
    tops = set(minimal_prefixes(post.path for post in viewer.posts))
    units, seen = [], set()
    for post in sorted(viewer.posts, key=lambda p: p.path):
        if post.path in tops and post.unit_id not in seen:
            seen.add(post.unit_id)
            units.append({"id": post.unit_id, "level": len(post.path) // PATH_STEP})
    return units[:limit]
