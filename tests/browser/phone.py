"""What the phone tests measure on a page at 360×740: horizontal overflow, interactive targets under
24×24 CSS px (WCAG 2.2, 2.5.8) and an axe-core scan (vendored: static/vendor/axe-core-*/axe.min.js).

Targets exempt from 2.5.8, as the criterion allows:
- inline links in running text: an `<a>` laid out `display: inline` whose nearest block holds at least
  two letters or digits of text outside links and buttons (the link sits in a sentence, its height is
  the line's); a row of links separated only by "·" or "|" is not running text and is measured;
- targets the browser draws itself and the visitor cannot resize (none left: checkboxes are 24 px);
- what is not rendered: zero-sized, `visibility: hidden`, inside a closed <details>, or off-screen
  (the skip link until it gets focus).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parents[2]
AXE = next(iter(sorted((ROOT / "static" / "vendor").glob("axe-core-*/axe.min.js"))))
PHONE_360 = {"width": 360, "height": 740}

# Never followed: log-out, downloads and exports, the Django admin and API pages (not the portal's
# templates), the language switch (a POST form anyway), and what is no page at all.
SKIPPED_PREFIXES = ("/admin/", "/api/", "/open311/", "/i18n/", "/accounts/logout/", "/metrics", "/healthz", "/static/")
SKIPPED_NAME_PARTS = ("export", "download", "photo", "logout", "screen")

MEASURE = """
() => {
  const doc = document.documentElement;
  const overflow = doc.scrollWidth > window.innerWidth;
  const wide = [];
  if (overflow) {
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 1 && r.width > 0 && getComputedStyle(el).position !== 'fixed') {
        wide.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' ' + Math.round(r.right));
        if (wide.length > 4) break;
      }
    }
  }
  const PUNCT = /[\\s·|\\/,，、:：;；()（）\\-—–.。»›>]+/g;
  const textOutside = (block) => {
    let text = '';
    const walk = (node) => {
      for (const child of node.childNodes) {
        if (child.nodeType === 3) text += child.textContent;
        else if (child.nodeType === 1 && !child.matches('a, button, input, select, textarea, summary, script, style')) walk(child);
      }
    };
    walk(block);
    return text.replace(PUNCT, '');
  };
  const blockOf = (el) => {
    let node = el.parentElement;
    while (node && getComputedStyle(node).display.startsWith('inline')) node = node.parentElement;
    return node || document.body;
  };
  const small = [];
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex="-1"])';
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (el.closest('details:not([open]) > :not(summary)')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right < 0 || r.bottom < -window.scrollY - 5 || r.left > doc.scrollWidth) continue;
    if (r.width >= 23.5 && r.height >= 23.5) continue;
    if (el.tagName === 'A' && style.display === 'inline' && textOutside(blockOf(el)).length >= 2) continue;
    small.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.value || el.name || '').trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return {overflow, scrollWidth: doc.scrollWidth, wide, small};
}
"""

AXE_RUN = """
async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'critical' || v.impact === 'serious')
    .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                sample: v.nodes.slice(0, 2).map(n => n.target.join(' '))}));
}
"""

LINKS = """
() => Array.from(document.querySelectorAll('a[href]'))
  .map(a => a.href)
  .filter(href => href.startsWith(location.origin))
"""


# Public pages read the same for everyone (only the header differs, and it is measured on every
# other page): the crawl measures each of them once, not once per log-in.
PUBLIC_NAMES = frozenset(
    {
        "contracts:board_index",
        "contracts:board_community",
        "contracts:board_quarter",
        "contracts:award_public",
        "service_centers:directory",
        "service_centers:point_public",
    }
)


def pattern_of(url: str) -> tuple[str, tuple[str, ...]] | None:
    """The URL's name and its query's keys, or None when not followed."""
    parts = urlsplit(url)
    if parts.path.startswith(SKIPPED_PREFIXES):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    name = match.view_name
    if any(part in name for part in SKIPPED_NAME_PARTS) or parts.path.endswith((".xlsx", ".csv", ".json")):
        return None
    keys = tuple(sorted({key for key, _value in parse_qsl(parts.query) if key != "page"}))
    return name, keys


def measure(page) -> dict:
    return page.evaluate(MEASURE)


def axe_scan(page) -> list[dict]:
    # By URL from the live server's static files, not inline (`path=`): the pages' CSP (script-src
    # 'self') stays in force during the crawl, so a page that needed inline script would show it.
    page.add_script_tag(url=f"/static/vendor/{AXE.parent.name}/{AXE.name}")
    return page.evaluate(AXE_RUN)


def same_site_links(page) -> list[str]:
    return page.evaluate(LINKS)
