"""Forms of the grids app: tree.py (units, posts), issues.py (the issue pages)."""

from .issues import (
    AssignForm,
    BulkAssignForm,
    DecomposeForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    FeedbackForm,
    IssueFilterForm,
    IssueLogForm,
    NoteForm,
    PhotoForm,
    RejectForm,
    ResolveForm,
    SuspendForm,
    TaskDoneForm,
)
from .tree import GridUnitForm, PostForm, add_validation_error

__all__ = [
    "AssignForm",
    "BulkAssignForm",
    "DecomposeForm",
    "ExtensionDecideForm",
    "ExtensionRequestForm",
    "FeedbackForm",
    "GridUnitForm",
    "IssueFilterForm",
    "IssueLogForm",
    "NoteForm",
    "PhotoForm",
    "PostForm",
    "RejectForm",
    "ResolveForm",
    "SuspendForm",
    "TaskDoneForm",
    "add_validation_error",
]
