"""The issue lists' rows, built in Python (issues/templatetags/issue_rows.py), write what the template wrote.

`TEMPLATE_ROWS` is the loop `issues/_issue_rows.html` had (and `_issue_badges.html` inlined): every
badge, the masked summary, the handler, assignee and supervising unit, the check boxes, in both
languages, for a handler (who reads the resident's phone) and for someone who may not.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from grids.viewer import Viewer
from issues import selectors
from issues.models import Issue

from .world import log, log_routed

TEMPLATE_ROWS = """{% load i18n issue_privacy %}{% for issue in issues %}
  <li>
    {% if pick %}<label class="pick"><input type="checkbox" name="issues" value="{{ issue.pk }}" aria-label="{% translate '选择' %} #{{ issue.pk }}"><span>{% endif %}
    <span class="line1"><a href="{% url 'issues:issue_detail' issue.pk %}">#{{ issue.pk }}</a> <span class="badge{% if issue.status == 'closed' or issue.status == 'rejected' %} grey{% endif %}">{{ issue.get_status_display }}</span>{% with state=issue.deadline_state %}{% if state == "overdue" %}<span class="badge red">{% translate "逾期" %}</span>{% elif state == "near" %}<span class="badge yellow">{% translate "临期" %}</span>{% endif %}{% endwith %}{% if issue.escalation_level %}<span class="badge red">{% blocktranslate with n=issue.escalation_level %}督办 {{ n }} 级{% endblocktranslate %}</span>{% endif %}{% if issue.routing_no_rule and internals %}<span class="badge grey">{% translate "无匹配规则" %}</span>{% endif %}{% if issue.priority > 1 %}<span class="badge red">{{ issue.get_priority_display }}</span>{% endif %}</span>
    {% private_text issue issue.description as summary %}<span class="summary">{{ issue.category.display_name }} · {{ summary|truncatechars:60 }}</span>
    <span class="meta">{{ issue.unit.name }} · {% translate "登记" %} {{ issue.created_at|date:"m-d H:i" }} · {% translate "期限" %} {{ issue.due_at|date:"m-d H:i" }}{% if issue.handler_kind %} · {{ issue.handler_label }}{% endif %}{% if issue.assignee %} · {% translate "经办" %} {{ issue.assignee.display_name }}{% endif %}{% if issue.supervision_unit_id and show_supervision %} · {% translate "督办单位" %} {{ issue.supervision_unit.name }}{% endif %}</span>
    {% if pick %}</span></label>{% endif %}
  </li>
{% endfor %}"""


def _issues_of_every_kind(world) -> list[int]:
    now = timezone.now()
    plain = log(world, world.worker)
    overdue = log_routed(world, world.worker, description="电话 13912345678，<b>急</b> & 楼道 " + "灯" * 70)
    Issue.objects.filter(pk=overdue.pk).update(
        created_at=now - timedelta(days=10),
        due_at=now - timedelta(days=1),
        remind_at=now - timedelta(days=2),
        escalation_level=2,
        priority=Issue.Priority.URGENT,
        assignee=world.leader,
        supervision_unit=world.a.street,
    )
    near = log_routed(world, world.worker, code="other")  # no rule: flagged for the internals
    Issue.objects.filter(pk=near.pk).update(remind_at=now - timedelta(hours=1), due_at=now + timedelta(hours=5))
    closed = log_routed(world, world.worker)
    Issue.objects.filter(pk=closed.pk).update(status=Issue.Status.CLOSED, satisfaction=Issue.Satisfaction.SATISFIED)
    return [plain.pk, overdue.pk, near.pk, closed.pk]


def _normalised(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("who", ["leader", "urban"])
@pytest.mark.parametrize("flags", [{}, {"pick": True, "internals": True, "show_supervision": True}])
def test_python_rows_write_what_the_template_wrote(world, language, who, flags):
    ids = _issues_of_every_kind(world)
    request = RequestFactory().get("/")
    request.viewer = Viewer.for_user(getattr(world, who))
    issues = list(selectors.issue_list(viewer=world.leader).filter(pk__in=ids))
    assert len(issues) == len(ids)
    with translation.override(language):
        expected = Template(TEMPLATE_ROWS).render(Context({"issues": issues, "request": request, **flags}))
        built = Template("{% load issue_rows %}{% issue_rows issues %}").render(
            Context({"issues": issues, "request": request, **flags})
        )
    assert _normalised(built) == _normalised(expected)
    # What the cases are there for, present: a masked phone for a non-handler, escaping, every badge.
    assert "&lt;b&gt;急&lt;/b&gt; &amp;" in built
    assert ("13912345678" in built) == (who == "leader")
    assert built.count('class="badge red"') >= 3  # overdue, supervision level, urgent
    assert ('class="badge grey">' in built) is True  # the closed issue, and the no-rule flag with internals
    assert ('name="issues"' in built) == bool(flags)


def test_the_rows_template_and_badges_use_the_python_rows(world):
    ids = _issues_of_every_kind(world)
    page = {"object_list": list(selectors.issue_list(viewer=world.leader).filter(pk__in=ids))}
    request = RequestFactory().get("/")
    request.viewer = Viewer.for_user(world.leader)
    html = render_to_string("issues/_issue_rows.html", {"page": page, "request": request})
    assert html.count("<li>") == len(ids)
    badges = render_to_string("issues/_issue_badges.html", {"issue": page["object_list"][0], "internals": True})
    assert badges.startswith('<span class="badge')
