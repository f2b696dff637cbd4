"""`{% load portal_maps %}`: a map element's data- attributes and the map's static files.

<div class="portal-map" data-map {% map_attrs %} aria-label="..."></div>
{% block head %}{% map_assets %}{% endblock %}   {# Leaflet's CSS and ours #}
{% block scripts %}{% map_scripts %}<script src="{% static 'app/page_map.js' %}" defer></script>{% endblock %}
"""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join

from grids.map_display import map_config

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
