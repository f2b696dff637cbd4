"""Every demo log-in on a phone (Chromium at 360×740): the workbench shows their work, and every page
within two clicks of it fits the screen, has no target under 24×24 px and passes axe-core (no critical
or serious violation).

The crawl is bounded: one page per URL name and role (a list with other filters in its query is
the same template), public pages once for all, the axe scan once per URL name across roles, one
browser for everything. A JSON report of what was crawled and found
goes beside the screenshots (crawl-report.json).
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest

from tests.workbench.accounts import DEMO_LOGINS, FIELD_LOGINS

from .conftest import SCREENSHOTS, log_in
from .phone import PHONE_360, PUBLIC_NAMES, axe_scan, measure, pattern_of, same_site_links

pytestmark = [pytest.mark.browser]


def test_every_demo_home_shows_its_work_on_a_phone(seeded_transactional_db, page_factory, shoot):
    for username, roles in sorted(DEMO_LOGINS.items()):
        page = page_factory(viewport=PHONE_360)
        log_in(page, username)
        assert urlsplit(page.url).path == "/", username
        cards = page.locator(".workbench-card")
        assert sorted(cards.evaluate_all("els => els.map(e => e.dataset.role)")) == sorted(roles), username
        assert (
            page.locator(".tally .value").count() > 0
            or username == "yangshuo_station"
            or page.locator(".actions a").count()
        )
        for value in page.locator(".tally .value").all_inner_texts():
            assert value.replace(",", "").replace(".", "").isdigit(), (username, value)
        assert "您还没有任何岗位" not in page.content()
        assert page.locator(".tabbar").is_visible() == (username in FIELD_LOGINS), username
        assert measure(page)["overflow"] is False, username
        shoot(page, f"home-{username}")
        hrefs = sorted(set(page.locator("main a[href]").evaluate_all("els => els.map(e => e.href)")))
        assert hrefs, username
        for href in hrefs:
            response = page.request.get(href)
            assert response.status == 200, (username, href, response.status)
        assert page.errors == [], (username, page.errors)
        page.context.close()


def test_visitors_land_on_the_public_pages_on_a_phone(seeded_transactional_db, page_factory, shoot):
    page = page_factory(viewport=PHONE_360)
    page.goto("/")
    assert page.locator("h1").inner_text() == "桂林市网格治理与党群服务门户"
    for name in ("查看公开栏", "查找服务点", "登录"):
        assert page.locator("main").get_by_role("link", name=name).is_visible()
    assert measure(page)["overflow"] is False
    shoot(page, "landing")
    page.locator("details.menu > summary").click()
    assert page.locator(".menu-panel").get_by_role("button", name="English").is_visible()
    shoot(page, "landing-menu")


def test_crawl_two_clicks_from_every_home(seeded_transactional_db, page_factory, shoot):
    started = time.monotonic()
    report: dict = {"roles": {}, "axe": {}}
    problems: list[str] = []
    scanned: set = set()
    public_seen: set = set()
    for username in sorted(DEMO_LOGINS):
        page = page_factory(viewport=PHONE_360)
        log_in(page, username)
        seen: set = set()
        crawled: list[dict] = []
        frontier = [(page.url, 0, "")]
        while frontier:
            url, depth, source = frontier.pop(0)
            pattern = pattern_of(url)
            if pattern is None or pattern[0] in seen or pattern[0] in public_seen:
                continue
            seen.add(pattern[0])
            if pattern[0] in PUBLIC_NAMES:
                public_seen.add(pattern[0])
            response = page.goto(url, wait_until="domcontentloaded")
            status = response.status if response else 0
            found = measure(page) if status == 200 else {"overflow": False, "small": [], "wide": []}
            entry = {"url": urlsplit(url).path, "from": source, "pattern": pattern[0], "status": status, **found}
            if status == 200 and pattern[0] not in scanned:
                scanned.add(pattern[0])
                violations = axe_scan(page)
                report["axe"][pattern[0]] = violations
                for violation in violations:
                    problems.append(
                        f"{username} {entry['url']}: axe {violation['id']} ({violation['impact']}) {violation['sample']}"
                    )
            crawled.append(entry)
            if status != 200:
                problems.append(f"{username} {entry['url']} (linked from {source}): HTTP {status}")
            if found["overflow"]:
                problems.append(f"{username} {entry['url']}: overflow {found['scrollWidth']} px {found['wide']}")
            for target in found["small"]:
                problems.append(f"{username} {entry['url']}: small target {target}")
            if page.errors:
                problems.append(f"{username} {entry['url']}: script errors {page.errors}")
                page.errors.clear()
            if depth < 2 and status == 200:
                here = urlsplit(url).path
                frontier.extend((link, depth + 1, here) for link in same_site_links(page))
        report["roles"][username] = crawled
        page.context.close()
    report["seconds"] = round(time.monotonic() - started, 1)
    report["problems"] = problems
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "crawl-report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    assert problems == [], "\n".join(problems[:80])
