"""With tiles configured, the CSP lets the maps load their images from the tile server, and nothing else."""

import importlib

import guilin_portal.settings.base as base


def test_no_tiles_no_outside_image_source():
    assert base.MAP_TILE_URL == ""
    assert base.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] == ["'self'", "data:", "blob:"]


def test_a_tile_url_adds_its_host_to_img_src(monkeypatch):
    monkeypatch.setenv("PORTAL_MAP_TILE_URL", "https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY&TILEMATRIX={z}")
    try:
        fresh = importlib.reload(base)
        assert fresh.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"][-1] == "https://*.tianditu.gov.cn"
        assert fresh._tile_source("https://webrd0{s}.is.autonavi.com/appmaptile?x={x}") == "https://*.is.autonavi.com"
        assert fresh._tile_source("https://tiles.example.cn/{z}/{x}/{y}.png") == "https://tiles.example.cn"
    finally:
        monkeypatch.delenv("PORTAL_MAP_TILE_URL")
        importlib.reload(base)
