"""The field app in Chromium with a persistent profile (a phone's browser that is closed and opened again).

A grid worker logs issues with photos with no network; the queue survives a reload and a restart of
the browser and, when the network is back, each issue reaches the portal exactly once; a refused item
stays with its reason; logging out empties the cached pages and another user never sends the queue;
the manifest and the worker pass Chromium's installability check.
"""

from __future__ import annotations

import contextlib
import io
import time

import pytest
from PIL import Image
from playwright.sync_api import expect

from grids.models import GridUnit, Post, User
from grids.viewer import Viewer
from issues.models import Issue
from issues.selectors import loggable_units
from tests.browser.conftest import CHROMIUM, PHONE, SCREENSHOTS, _running, log_in, no_horizontal_scroll

pytestmark = [pytest.mark.browser]

WORKER = "xiufeng_worker"


def photo_bytes(width: int = 3000, height: int = 2000, colour=(90, 140, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


@pytest.fixture
def phone(browser, live_server, tmp_path, request):
    """open() a Chromium with one user-data directory (what a phone keeps between uses); shoot(page, step)."""
    opened = []
    profile = tmp_path / "profile"

    def open_(unreachable: bool = False):
        args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
        if unreachable:
            # No signal from the browser's first moment, for the service worker too: Playwright's offline
            # emulation reaches a worker only once attached, and a pending Background Sync fires at start-up.
            args += ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]
        context = _running["playwright"].chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=args,
            viewport=PHONE,
            locale="zh-CN",
            base_url=live_server.url,
        )
        context.set_default_timeout(20_000)
        opened.append(context)
        page = context.pages[0] if context.pages else context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return context, page

    yield open_
    for context in opened:
        with contextlib.suppress(Exception):  # already closed by the test
            context.close()


def shoot(request, page, step: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-{step}.png"), full_page=True)


def wait_until(page, script: str, timeout: float = 20.0, arg=None):
    """Evaluate an async expression until it is truthy (service workers and IndexedDB answer with promises)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {script} (last: {value!r})")
        time.sleep(0.2)


CONTROLLED = "() => !!navigator.serviceWorker.controller"
QUEUE_COUNT = "async () => (await PortalQueue.list(document.querySelector('meta[name=portal-user]').content)).length"


def page_cached(page, user: User, path: str) -> None:
    wait_until(
        page,
        "async ([user, path]) => !!(await (await caches.open('guilin-pages-u' + user)).match(path))",
        arg=[user.pk, path],
    )


def ready_for_offline(page, user: User) -> None:
    """The worker opened the app online once: the worker controls the page and the field pages are kept."""
    page.goto("/issues/new/")
    wait_until(page, CONTROLLED)
    page.reload()
    wait_until(page, CONTROLLED)
    for path in ("/", "/issues/new/", "/issues/mine/", "/app/queue/"):
        page_cached(page, user, path)


def log_offline(page, description: str, n: int, photos: int = 1) -> None:
    page.select_option("#id_category", index=1)
    page.fill("#id_description", description)
    page.set_input_files(
        "#id_photos",
        files=[
            {"name": f"p{i}.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(colour=(40 * i, 90, 120))}
            for i in range(photos)
        ],
    )
    page.click("main form button[type=submit]")
    # The phone resizes the photos before it queues them: slow on a loaded CI machine, so more than
    # the default 5 s (a wait, not a timing claim; the count must still come).
    expect(page.locator("[data-queue-count]")).to_have_text(str(n), timeout=30_000)
    page.locator("[data-queued-banner]").wait_for(state="visible")


def test_three_issues_logged_offline_reach_the_portal_once_after_a_restart(
    seeded_transactional_db, phone, live_server, request
):
    worker = User.objects.get(username=WORKER)
    before = Issue.objects.filter(reporter=worker).count()
    context, page = phone()
    log_in(page, WORKER)
    ready_for_offline(page, worker)

    # No signal: three issues with photos go to the queue; the header counts them.
    context.set_offline(True)
    page.reload()
    assert page.locator("meta[name=portal-saved-at]").count() == 1  # the phone's copy
    expect(page.locator("[data-saved-banner]")).to_be_visible(timeout=30_000)
    shoot(request, page, "01-offline-form")
    for n in range(1, 4):
        log_offline(page, f"离线登记第{n}条：楼道灯坏了。", n, photos=2 if n == 1 else 1)
        assert page.locator("[data-queue-count]").inner_text() == str(n)
    assert "已保存在这部手机上" in page.locator("[data-queued-banner]").inner_text()
    shoot(request, page, "02-three-queued")
    assert no_horizontal_scroll(page)
    # The photos were brought down on the phone (3000 px wide taken, 2560 px kept).
    widths = page.evaluate(
        """async () => {
          const items = await PortalQueue.list(document.querySelector('meta[name=portal-user]').content);
          const out = [];
          for (const item of items) for (const f of item.files) out.push((await createImageBitmap(f.blob)).width);
          return out;
        }"""
    )
    assert widths == [2560, 2560, 2560, 2560]
    assert Issue.objects.filter(reporter=worker).count() == before

    # Reloading with no network still works: the form and the queue page come from the phone.
    page.reload()
    assert page.locator("#id_description").is_visible()
    expect(page.locator("[data-queue-count]")).to_have_text("3", timeout=30_000)  # read from IndexedDB
    page.goto("/app/queue/")
    page.locator("[data-queue-item]").nth(2).wait_for()
    assert page.locator("[data-queue-item]").count() == 3
    shoot(request, page, "03-queue-page-offline")
    page.goto("/issues/mine/")
    expect(page.locator("[data-saved-banner]")).to_be_visible(timeout=30_000)  # read-only, with when it was saved
    # Keep a copy of the items (as the phone holds them) to force a second send later.
    page.evaluate(
        "async () => PortalQueue.meta('test-copy', await PortalQueue.list("
        "document.querySelector('meta[name=portal-user]').content))"
    )
    context.close()

    # The browser (the phone) restarts with still no signal: the queue is there, still unsent.
    context, page = phone(unreachable=True)
    page.goto("/issues/new/")
    expect(page.locator("[data-queue-count]")).to_have_text("3", timeout=30_000)  # read from IndexedDB
    assert Issue.objects.filter(reporter=worker).count() == before
    context.close()

    # The network is back; the queue sends itself, in order (after logging in again if the browser
    # dropped the session cookie on closing).
    context, page = phone()
    started = time.monotonic()
    page.goto("/accounts/login/")
    if page.locator("#id_username").count():
        log_in(page, WORKER)
    wait_until(page, QUEUE_COUNT.replace("length", "length === 0"))
    print(f"three queued issues sent {time.monotonic() - started:.2f} s after logging in again")
    sent = list(Issue.objects.filter(reporter=worker).order_by("pk")[before:])
    assert [issue.description for issue in sent] == [f"离线登记第{n}条：楼道灯坏了。" for n in (1, 2, 3)]
    assert [issue.photos.count() for issue in sent] == [2, 1, 1]
    assert all(issue.status != Issue.Status.COLLECTED for issue in sent)  # routed
    page.goto("/app/queue/")
    page.locator("#queue-sent li").nth(2).wait_for()
    assert page.locator("#queue-sent li").count() == 3
    shoot(request, page, "04-sent")

    # Forcing a second send of the very same items (as after a lost answer) logs nothing new.
    answers = page.evaluate(
        """async () => {
          const copy = await PortalQueue.meta('test-copy');
          for (const item of copy) { item.state = 'waiting'; await PortalQueue.save(item); }
          const result = await PortalQueue.flush();
          const log = await PortalQueue.sentLog(document.querySelector('meta[name=portal-user]').content);
          return {sent: result.sent, created: log.slice(0, 3).map(e => e.created)};
        }"""
    )
    assert answers == {"sent": 3, "created": [False, False, False]}
    assert Issue.objects.filter(reporter=worker).count() == before + 3
    assert page.errors == []


def test_a_refused_item_stays_with_its_reason_and_is_fixed_and_resent(seeded_transactional_db, phone, request):
    worker = User.objects.get(username=WORKER)
    own = loggable_units(viewer=Viewer.for_user(worker))
    own_unit = own.first()
    # A micro-grid the worker also covers for now (a second post, elsewhere in the city).
    elsewhere = GridUnit.objects.micro_grids().exclude(pk__in=own.values("pk")).order_by("path").first()
    extra = Post.objects.create(user=worker, unit=elsewhere, role=Post.Role.GRID_WORKER)
    before = Issue.objects.filter(reporter=worker).count()
    context, page = phone()
    log_in(page, WORKER)
    ready_for_offline(page, worker)

    context.set_offline(True)
    page.reload()
    page.select_option("#id_unit", value=str(elsewhere.pk))
    log_offline(page, "借调期间登记：路灯不亮。", 1)
    # The grid leaves the worker's jurisdiction before the phone has signal again.
    extra.delete()
    context.set_offline(False)
    page.goto("/app/queue/")
    refused = page.locator("[data-queue-item][data-state=refused]")
    refused.wait_for()
    assert "所在网格" in refused.locator(".reasons").inner_text()
    assert page.locator("[data-queue-count]").inner_text() == "1"  # still counted: nothing dropped silently
    assert Issue.objects.filter(reporter=worker).count() == before
    shoot(request, page, "01-refused")
    assert no_horizontal_scroll(page)

    # Fix and resend: the form comes back filled (the photo too); another grid, the same one-time key.
    refused.get_by_role("link", name="修改后重发").click()
    expect(page.locator("#id_description")).not_to_have_value("", timeout=30_000)  # filled from IndexedDB
    assert page.locator("#id_description").input_value() == "借调期间登记：路灯不亮。"
    assert page.evaluate("document.querySelector('#id_photos').files.length") == 1
    page.select_option("#id_unit", value=str(own_unit.pk))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/app/queue/")
    page.locator("#queue-sent li").first.wait_for()
    wait_until(page, QUEUE_COUNT.replace("length", "length === 0"))
    issue = Issue.objects.filter(reporter=worker).latest("pk")
    assert Issue.objects.filter(reporter=worker).count() == before + 1
    assert (issue.unit_id, issue.description, issue.photos.count()) == (own_unit.pk, "借调期间登记：路灯不亮。", 1)
    assert page.errors == []


def test_logging_out_empties_the_caches_and_another_user_never_sends_the_queue(seeded_transactional_db, phone, request):
    worker = User.objects.get(username=WORKER)
    context, page = phone()
    log_in(page, WORKER)
    ready_for_offline(page, worker)
    # An item on the phone when the worker logs out (made from the form as the queue makes it). It is
    # kept back (refused) until the logout, so the app's 30-second send cannot deliver it first.
    page.evaluate(
        """async () => {
          const form = document.querySelector('main form[method=post]');
          const unit = form.querySelector('[name=unit]').value;
          const category = form.querySelector('[name=category] option:nth-child(2)').value;
          await PortalQueue.save({owner: document.querySelector('meta[name=portal-user]').content, kind: 'issue',
            url: '/issues/new/', fields: [['client_key', crypto.randomUUID()], ['unit', unit],
            ['category', category], ['description', '换人之前留下的登记'], ['priority', '1']],
            files: [], taken_at: new Date().toISOString(), summary: 'x', labels: {}, state: 'refused'});
        }"""
    )
    page.locator("details.menu summary").click()
    page.locator(".menu-account").get_by_role("button", name="退出").click()
    page.wait_for_load_state("networkidle")
    # Now it waits to be sent, as any item the worker left.
    kept = page.evaluate(
        f"""async () => {{
          const items = await PortalQueue.list('{worker.pk}');
          for (const item of items) {{ item.state = 'waiting'; await PortalQueue.save(item); }}
          return items.length;
        }}"""
    )
    assert kept == 1
    names = page.evaluate("caches.keys()")
    assert not [name for name in names if name.startswith("guilin-pages-")], names
    assert page.evaluate("PortalQueue.currentUser()") is None

    # Another worker on the same phone: sees no item and sends none.
    other = User.objects.get(username="qixing_worker")
    log_in(page, other.username)
    page.goto("/app/queue/")
    wait_until(page, "() => !document.querySelector('[data-queue-empty]').hidden")
    assert page.locator("[data-queue-item]").count() == 0
    assert page.locator("[data-queue-link]").is_hidden()
    page.evaluate("PortalField.flush()")
    assert not Issue.objects.filter(description="换人之前留下的登记").exists()
    assert page.evaluate(f"PortalQueue.count('{worker.pk}')") == 1  # still the worker's
    shoot(request, page, "01-other-user")

    # The worker logs in again: it goes, under the worker.
    page.locator("details.menu summary").click()
    page.locator(".menu-account").get_by_role("button", name="退出").click()
    page.wait_for_load_state("networkidle")
    log_in(page, WORKER)
    wait_until(page, QUEUE_COUNT.replace("length", "length === 0"))
    assert Issue.objects.get(description="换人之前留下的登记").reporter == worker
    assert page.errors == []


def test_chromium_finds_the_app_installable_and_ten_queued_issues_go_when_the_network_returns(
    seeded_transactional_db, phone, request
):
    worker = User.objects.get(username=WORKER)
    before = Issue.objects.filter(reporter=worker).count()
    context, page = phone()
    log_in(page, WORKER)
    ready_for_offline(page, worker)
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    assert page.evaluate(CONTROLLED)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")
    support = page.evaluate(
        """async () => ({
          background_sync: 'sync' in ServiceWorkerRegistration.prototype,
          periodic_sync: 'periodicSync' in ServiceWorkerRegistration.prototype,
          web_locks: !!(navigator.locks && navigator.locks.request),
          broadcast_channel: typeof BroadcastChannel === 'function',
          offscreen_canvas: typeof OffscreenCanvas === 'function',
          storage_persist: !!(navigator.storage && navigator.storage.persist),
          install_prompt: 'onbeforeinstallprompt' in window,
          user_agent: navigator.userAgent,
        })"""
    )
    shell = page.evaluate(
        """async () => {
          const name = (await caches.keys()).find(n => n.startsWith('guilin-shell-'));
          const cache = await caches.open(name);
          let bytes = 0, files = 0;
          for (const request of await cache.keys()) {
            bytes += (await (await cache.match(request)).arrayBuffer()).byteLength; files += 1;
          }
          return {bytes, files};
        }"""
    )
    print(f"browser supports: {support}")
    print(f"cached shell: {shell['files']} files, {shell['bytes'] / 1024:.1f} KiB")
    assert shell["files"] == 15
    assert shell["bytes"] < 200 * 1024

    # Ten issues, each with a 2560 px photo, queued with no network.
    context.set_offline(True)
    page.reload()
    page.evaluate(
        """async () => {
          const form = document.querySelector('main form[method=post]');
          const unit = form.querySelector('[name=unit]').value;
          const category = form.querySelector('[name=category] option:nth-child(2)').value;
          const canvas = new OffscreenCanvas(2560, 1920);
          const g = canvas.getContext('2d');
          for (let i = 0; i < 10; i += 1) {
            g.fillStyle = `rgb(${i * 20}, 120, 80)`; g.fillRect(0, 0, 2560, 1920);
            const blob = await canvas.convertToBlob({type: 'image/jpeg', quality: 0.85});
            await PortalQueue.save({owner: document.querySelector('meta[name=portal-user]').content, kind: 'issue',
              url: '/issues/new/', fields: [['client_key', crypto.randomUUID()], ['unit', unit],
              ['category', category], ['description', '计时登记 ' + i], ['priority', '1']],
              files: [{field: 'photos', blob, name: 'p.jpg'}], taken_at: new Date().toISOString(),
              summary: 'x', labels: {}, state: 'waiting'});
          }
        }"""
    )
    assert page.evaluate(QUEUE_COUNT) == 10
    started = time.monotonic()
    context.set_offline(False)
    wait_until(page, QUEUE_COUNT.replace("length", "length === 0"), timeout=60)
    seconds = time.monotonic() - started
    print(f"ten queued issues with a photo each sent {seconds:.2f} s after the network returned")
    sent = Issue.objects.filter(reporter=worker).order_by("pk")[before:]
    assert [issue.description for issue in sent] == [f"计时登记 {i}" for i in range(10)]
    assert seconds < 30
