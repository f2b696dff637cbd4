"""The whole flow across the apps, in Chromium, with a screenshot of every step.

A grid worker on a 390×844 phone logs an issue with a photo and sees it routed;
whoever the routing picked (looked up in the database) accepts and resolves it;
the worker records the resident's feedback (satisfied closes it); district staff
open the dashboard and the charts draw; they export the issue list as XLSX and read
the issue's audit history (who changed what); the public disclosure board and the service-point directory open without logging
in; the language switch turns the page English. No page may log an error
(a Content-Security-Policy violation is a console error).

The per-app browser tests (tests/grids/test_issue_browser.py and the others)
cover each page's details; this one follows one issue through all of them.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from grids.models import User
from issues.access import handles_issue
from issues.models import Issue, IssueEvent, IssuePhoto

from .conftest import DESK, PHONE, log_in, no_horizontal_scroll

pytestmark = [pytest.mark.browser]

# The demo accounts that hold the shared demo password (grids/demo.py, grids/demo_issues.py).
DEMO_HANDLERS = ["xiufeng_leader", "xiufeng_community", "xiufeng_street", "xiufeng_district", "xiufeng_urban"]
DESCRIPTION = "解东社区3栋路灯不亮一周，晚上出行不便。"
PHONE_NUMBER = "13907735678"

# A canvas is drawn when some pixel is not transparent: the chart library painted it.
CANVAS_DRAWN = """canvas => {
    const context = canvas.getContext("2d");
    if (!canvas.width || !canvas.height) return false;
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) return true; }
    return false;
}"""


@pytest.fixture
def photo_file(tmp_path):
    """A small JPEG on disk, as a phone's camera would hand it to the file input."""
    path = tmp_path / "streetlight.jpg"
    Image.new("RGB", (120, 90), (30, 90, 160)).save(path, format="JPEG", quality=80)
    return path


def handler_account(issue: Issue) -> str:
    """The demo account that handles the issue, whatever the routing rules picked."""
    for user in User.objects.filter(username__in=DEMO_HANDLERS).order_by("username"):
        if handles_issue(user, issue):
            return user.username
    raise AssertionError(f"no demo account handles issue {issue.pk} ({issue.handler_kind} {issue.handler_label})")


def submit_action(page, action_label: str, fill: dict[str, str] | None = None, check: str | None = None) -> None:
    """Open an action's panel on the issue page, fill it and send it."""
    panel = page.locator("section.actions details", has=page.locator("summary", has_text=action_label))
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for selector, value in (fill or {}).items():
        panel.locator(selector).fill(value)
    if check:
        panel.locator(check).check()
    panel.get_by_role("button", name=action_label).click()
    page.wait_for_load_state("networkidle")


def test_full_flow(seeded_transactional_db, page_factory, shoot, photo_file, tmp_path):
    # 1. The grid worker logs in on a phone and logs an issue with a photo.
    worker = page_factory(viewport=PHONE)
    log_in(worker, "xiufeng_worker")
    assert "/accounts/login/" not in worker.url
    worker.goto(reverse("issues:issue_create"))
    worker.select_option("#id_category", label="公共设施维修")
    worker.fill("#id_description", DESCRIPTION)
    worker.fill("#id_resident_phone", PHONE_NUMBER)
    worker.set_input_files("#id_photos", str(photo_file))
    assert no_horizontal_scroll(worker)
    shoot(worker, "worker-logs-issue")
    worker.click("main form button[type=submit]")
    worker.wait_for_load_state("networkidle")

    issue = Issue.objects.filter(reporter__username="xiufeng_worker", description=DESCRIPTION).get()
    assert worker.url.endswith(reverse("issues:issue_detail", args=[issue.pk]))
    # 2. Routing ran after the commit (eagerly in tests): the page names the handler.
    assert issue.status == Issue.Status.ALLOCATED
    assert IssueEvent.objects.filter(issue=issue, kind=IssueEvent.Kind.ALLOCATED).count() == 1
    assert IssuePhoto.objects.filter(issue=issue).count() == 1
    assert worker.get_by_text(f"问题 #{issue.pk} 已登记并分派给").is_visible()
    facts = worker.locator("dl.facts")
    assert issue.handler_label in facts.inner_text()
    assert worker.locator(".photos img").count() == 1
    assert worker.locator(".photos img").evaluate("img => img.complete && img.naturalWidth > 0")
    assert no_horizontal_scroll(worker)
    shoot(worker, "worker-sees-it-routed")
    assert worker.errors == []

    # 3. The handler the routing picked accepts and resolves it.
    handler_name = handler_account(issue)
    handler = page_factory(viewport=PHONE)
    log_in(handler, handler_name)
    handler.goto(reverse("issues:issue_inbox"))
    assert handler.get_by_role("link", name=f"#{issue.pk}").first.is_visible()
    shoot(handler, f"handler-{handler_name}-inbox")
    handler.goto(reverse("issues:issue_detail", args=[issue.pk]))
    assert handler.get_by_text(PHONE_NUMBER).is_visible()  # the handler sees the resident's phone in full
    submit_action(handler, "受理")
    assert handler.get_by_text("已受理。").is_visible()
    submit_action(handler, "办结", fill={"textarea": "已更换路灯灯具，当晚恢复照明。"})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.RESOLVED
    assert "已更换路灯灯具" in handler.locator("dl.facts").inner_text()
    assert no_horizontal_scroll(handler)
    shoot(handler, "handler-resolved")
    assert handler.errors == []

    # 4. The worker records the resident's feedback: satisfied closes the issue.
    worker.goto(reverse("issues:issue_detail", args=[issue.pk]))
    submit_action(worker, "记录群众反馈", check="input[name=satisfaction][value=satisfied]")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.CLOSED
    assert issue.satisfaction == Issue.Satisfaction.SATISFIED
    assert worker.locator("dl.facts").get_by_text("满意").is_visible()
    kinds = list(IssueEvent.objects.filter(issue=issue).order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["collected", "allocated", "accepted", "resolved", "feedback"]
    shoot(worker, "worker-feedback-closed")
    assert worker.errors == []

    # 5. District staff open their dashboard at a desk: every chart draws.
    staff = page_factory(viewport=DESK)
    log_in(staff, "xiufeng_district")
    staff.goto(reverse("dashboards:home"))
    staff.wait_for_load_state("networkidle")
    assert "/dashboards/units/" in staff.url
    charts = staff.locator(".chart[data-chart]")
    assert charts.count() >= 3
    staff.wait_for_function(
        "() => [...document.querySelectorAll('.chart[data-chart]')].every(c => c.querySelector('canvas'))",
        timeout=15_000,
    )
    drawn = [chart.locator("canvas").first.evaluate(CANVAS_DRAWN) for chart in charts.all()]
    assert all(drawn), drawn
    shoot(staff, "district-dashboard")
    assert staff.errors == []

    # 6. They open the period's issue list, filtered to the category, and export it as XLSX.
    unit_pk = int(staff.url.split("/dashboards/units/")[1].split("/")[0])
    staff.goto(f"{reverse('dashboards:issues', args=[unit_pk])}?category={issue.category_id}")
    assert staff.get_by_role("link", name=f"#{issue.pk}").first.is_visible()
    heading = staff.locator("main h1 small").inner_text()  # "<period> · N 条"
    listed = int(heading.rsplit("·", 1)[1].replace("条", "").replace(",", "").strip())
    shoot(staff, "district-issue-list")
    with staff.expect_download(timeout=30_000) as download_info:
        staff.get_by_role("link", name="导出 Excel（全部筛选结果）").click()
    download = download_info.value
    assert download.suggested_filename.startswith("issues-")
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(io.BytesIO(saved.read_bytes()), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "登记时间", "网格", "类别", "状态")
    by_id = {row[0]: row for row in rows[1:]}
    assert issue.pk in by_id
    assert by_id[issue.pk][3] == "公共设施维修"
    assert by_id[issue.pk][4] == "已关闭"
    assert len(rows) - 1 == listed  # exactly the rows of the page's filter
    assert {row[3] for row in rows[1:]} == {"公共设施维修"}
    assert staff.errors == []

    # 7. The issue's audit history: every version with who made it and what changed, the phone never shown.
    staff.goto(reverse("audit:object", args=["issues", issue.pk]))
    versions = staff.locator(".audit-entry")
    assert versions.count() == 5  # logged, routed, accepted, resolved, closed
    assert handler.locator(".menu-account .who").text_content().strip() in versions.nth(2).inner_text()
    assert "已关闭" in versions.first.inner_text()
    assert PHONE_NUMBER not in staff.content()
    shoot(staff, "district-audit-history")
    assert staff.errors == []

    # 8. The public pages open without logging in, then the language switch turns the page English.
    public = page_factory(viewport=PHONE)
    for url, step in ((reverse("contracts:board_index"), "public-board"), ("/service-points/", "public-directory")):
        response = public.goto(url)
        assert response.status == 200, url
        assert "/accounts/login/" not in public.url
        assert public.locator("main h1").first.is_visible()
        assert no_horizontal_scroll(public)
        shoot(public, step)
        if step == "public-board":
            # One community's disclosure: the quarter's completion table.
            public.get_by_role("link", name="解东社区").first.click()
            public.wait_for_load_state("networkidle")
            assert "/accounts/login/" not in public.url
            assert public.locator("main table").first.is_visible()
            assert no_horizontal_scroll(public)
            shoot(public, "public-board-community")
    assert public.locator("html").get_attribute("lang") == "zh-hans"
    public.locator("details.menu > summary").click()  # the language switch is in the menu
    public.get_by_role("button", name="English").click()
    public.wait_for_load_state("networkidle")
    assert public.url.endswith("/service-points/")
    assert public.locator("html").get_attribute("lang") == "en"
    assert public.get_by_role("link", name="Log in").is_visible()
    assert no_horizontal_scroll(public)
    shoot(public, "public-directory-en")
    assert public.errors == []
