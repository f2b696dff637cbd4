"""`{% private_text issue text as name %}`: an issue's free text as the page's viewer may read it.

As written for the reporter and the handlers; with the resident's name, phones, identity-card numbers
and e-mails masked for everyone else (`issues.access.private_text_for`, the rule the API and the
exports use).
"""

from __future__ import annotations

from django import template

from issues import access

register = template.Library()


@register.simple_tag(takes_context=True)
def private_text(context, issue, text: str) -> str:
    if not text:
        return text
    # The rule is asked once per issue and page (it may cost a query), however many notes are shown.
    decided = context.render_context.setdefault("issue_privacy", {})
    if issue.pk not in decided:
        viewer = getattr(context.get("request"), "viewer", None)
        decided[issue.pk] = access.can_see_resident_contact(viewer, issue)
    if decided[issue.pk]:
        return text
    return access.private_text_for(None, issue, text)  # the anonymous viewer: always redacted


@register.simple_tag
def masked_text(issue, text: str) -> str:
    """The text masked whoever reads it: for short pointers to an issue (a notification's summary),
    where the whole text is one tap away on the issue page, which shows it as the viewer may read it."""
    return access.private_text_for(None, issue, text)
