"""`{% issue_rows issues %}` and `{% issue_badges issue %}`: the issue lists' rows, built in Python.

A list page shows 50 issues, and the template engine spent about 0.4 ms on each (a lookup per
variable, a translation per label, an include per row for its badges, `date` localising each time):
the rows were most of a list page's time (issue 17, item 1). As the admin's change list builds its
result rows (`admin_list.items_for_result`), they are built here with f-strings, each value escaped as it is put in, each label
translated once per list and each address from one reverse(). The markup is what
`issues/_issue_rows.html` and `issues/_issue_badges.html` wrote; the context's `pick` (a check box per
row), `show_supervision` and `internals` (the routing's "no rule" badge) still choose what shows.
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from issues.links import issue_detail_urls
from issues.models import Issue

from .issue_privacy import private_text

register = template.Library()

_GREY_STATUSES = frozenset({Issue.Status.CLOSED, Issue.Status.REJECTED})


def _badge(colour: str, text: str) -> str:
    return f'<span class="badge {colour}">{escape(text)}</span>'


class _Labels:
    """The rows' fixed words, translated once per list in the active language (escaped, but `escalated`,
    a pattern escaped once filled)."""

    def __init__(self) -> None:
        # gettext outside the f-strings: makemessages (xgettext) does not read calls inside them.
        self.deadline = {"overdue": _badge("red", gettext("逾期")), "near": _badge("yellow", gettext("临期"))}
        self.no_rule = _badge("grey", gettext("无匹配规则"))
        self.escalated = gettext("督办 %(n)s 级")
        self.pick = escape(gettext("选择"))
        self.logged = escape(gettext("登记"))
        self.due = escape(gettext("期限"))
        self.assignee = escape(gettext("经办"))
        self.supervision = escape(gettext("督办单位"))


def _badges(issue: Issue, internals: bool, labels: _Labels, now) -> str:
    grey = " grey" if issue.status in _GREY_STATUSES else ""
    html = f'<span class="badge{grey}">{escape(issue.get_status_display())}</span>'
    html += labels.deadline.get(issue.deadline_state_at(now), "")
    if issue.escalation_level:
        html += f'<span class="badge red">{escape(labels.escalated % {"n": issue.escalation_level})}</span>'
    if issue.routing_no_rule and internals:
        html += labels.no_rule
    if issue.priority > 1:
        html += f'<span class="badge red">{escape(issue.get_priority_display())}</span>'
    return html


def _truncated(text: str, length: int = 60) -> str:
    """As `{{ text|truncatechars:60 }}`; most summaries are shorter and need no Truncator."""
    return text if len(text) <= length else Truncator(text).chars(length)


def _minute(moment) -> str:
    """As `{{ moment|date:"m-d H:i" }}` writes it: in the current time zone."""
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


@register.simple_tag(takes_context=True)
def issue_badges(context, issue: Issue) -> SafeString:
    """Status, deadline, supervision level, routing and priority badges of one issue."""
    return mark_safe(_badges(issue, bool(context.get("internals")), _Labels(), timezone.now()))  # escaped


@register.simple_tag(takes_context=True)
def issue_rows(context, issues) -> SafeString:
    """The `<li>` of each issue: number and badges, category and summary (masked as the viewer may read
    it), unit, logged and due times, handler, assignee and, with `show_supervision`, the supervising unit.

    Every value is escaped where it is put in (`escape`: the names and texts are plain strings)."""
    labels = _Labels()
    url_of = issue_detail_urls()
    now = timezone.now()
    pick, internals = context.get("pick"), bool(context.get("internals"))
    show_supervision = context.get("show_supervision")
    rows = []
    for issue in issues:
        summary = _truncated(private_text(context, issue, issue.description))
        meta = (
            f"{escape(issue.unit.name)} · {labels.logged} {_minute(issue.created_at)} · "
            f"{labels.due} {_minute(issue.due_at)}"
        )
        if issue.handler_kind:
            meta += f" · {escape(issue.handler_label)}"
        if issue.assignee_id:
            meta += f" · {labels.assignee} {escape(issue.assignee.display_name)}"
        if issue.supervision_unit_id and show_supervision:
            meta += f" · {labels.supervision} {escape(issue.supervision_unit.name)}"
        row = (
            f'<span class="line1"><a href="{escape(url_of(issue.pk))}">#{issue.pk}</a> '
            f"{_badges(issue, internals, labels, now)}</span>\n"
            f'    <span class="summary">{escape(issue.category.display_name)} · {escape(summary)}</span>\n'
            f'    <span class="meta">{meta}</span>'
        )
        if pick:
            row = (
                f'<label class="pick"><input type="checkbox" name="issues" value="{issue.pk}" '
                f'aria-label="{labels.pick} #{issue.pk}"><span>\n    {row}\n    </span></label>'
            )
        rows.append(f"  <li>\n    {row}\n  </li>\n")
    return mark_safe("".join(rows))  # every value escaped as it was put in
