"""Choice labels from the per-language table (guilin_portal.choices) equal Django's own get_FOO_display."""

import pytest
from django.db.models import Model
from django.utils import translation

from guilin_portal.choices import choice_label
from issues.models import Issue, IssueKind


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_issue_labels_equal_djangos_in_each_language(language):
    issue = Issue()
    with translation.override(language):
        for status in Issue.Status.values:
            issue.status = status
            assert issue.get_status_display() == Model._get_FIELD_display(issue, Issue._meta.get_field("status"))
        for priority in Issue.Priority.values:
            issue.priority = priority
            expected = Model._get_FIELD_display(issue, Issue._meta.get_field("priority"))
            assert issue.get_priority_display() == expected
        for kind in IssueKind.values:
            issue.kind = kind
            assert issue.get_kind_display() == Model._get_FIELD_display(issue, Issue._meta.get_field("kind"))


def test_labels_follow_the_active_language():
    with translation.override("zh-hans"):
        chinese = choice_label(Issue.Status, Issue.Status.RESOLVED)
    with translation.override("en"):
        english = choice_label(Issue.Status, Issue.Status.RESOLVED)
    assert chinese == "已办结（待反馈）"
    assert english != chinese
    assert english.isascii()


def test_a_value_that_is_no_choice_is_shown_as_it_is():
    assert choice_label(Issue.Status, "no-such-status") == "no-such-status"
