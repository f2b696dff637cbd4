"""Layering rules that imports alone cannot show, checked on the source's syntax tree.

import-linter (`lint-imports`, contracts in pyproject.toml) keeps the apps' imports pointing
downwards. This module checks two rules of README "Architecture" inside each app:

(a) Thin callers do not write. A view (`views.py`, `views/`), a serializer (`serializers.py`,
    `serializers/`), the admin (`admin.py`, `admin/`, `admin_*.py`) and a task (`tasks.py`, `tasks/`)
    call a service for every write; they do not call the ORM's writes themselves. Flagged calls, by
    method name (the receiver's type is unknown to a syntax tree, so a few shapes are told apart):
      - `save`, `delete`, `create`, `update`, `bulk_create`, `bulk_update`, `get_or_create`,
        `update_or_create`, `save_m2m`: a model, a QuerySet, a manager, a ModelForm
        (`form.save()`), a DRF serializer (`serializer.save()`, which runs its create/update);
        not flagged: `save(x)` with exactly one positional argument (PIL, openpyxl: a file target),
        `save(..., commit=False)` and `save=False` (no row written), a receiver named like a
        storage, `delete(key)` with positional arguments (cache, storage, session),
        `update(mapping)` with positional arguments (dict, set) and `update(k=v)` on a name that the
        function binds to a dict (a literal, `dict(...)`, a comprehension, `get_context_data(...)`,
        a `dict`/`Mapping` annotation or `**kwargs`);
      - `add`, `remove`, `set`, `clear` on a related manager: an attribute named `objects`, ending in
        `_set`, or named as a many-to-many field or a `related_name` declared in our models.
    Calling Django's own `super().save_model(...)` (and `save_related`, `save_formset`) is not
    flagged: that is what the admin does when the method is not overridden at all. An override's own
    `obj.save()` is flagged; the override should call a service.

(b) Public selectors take the viewer. Every top-level public function (name not starting with `_`) in
    `selectors.py` or `selectors/*.py` (a module named `_*.py` there is private and skipped) has a
    keyword-only parameter `viewer`, so scoping to the jurisdiction cannot be forgotten, except
      - when its signature says it takes an object the caller has already checked: a parameter
        annotated with one of our Django models (`issue: Issue`, `team: Team`, `unit: GridUnit`;
        `Issue | None` does not count: None may mean "everything"), or a parameter named `checked_*`;
      - when the module lists it, with the reason, in a module-level literal dict
        `PUBLIC_SELECTORS_WITHOUT_VIEWER = {"categories_active": "reference data, the same for all"}`.
        An entry naming no public function of the module is itself reported, and so is an entry
        without a reason, so the list stays true.
    A `viewer` that is positional is reported in any case: it goes after `*`, like every selector's.

The one escape from (a) is explicit and per line: a trailing comment `# layering: allow <reason>` on
any line of the call (the reason is required), so each exception is visible in review.

A violation is identified as `path:scope:what`, without line numbers (they move): the path from the
project root, the enclosing `Class.method` or function (`<module>` at module level) and the call as
written with arguments elided (`obj.save`, `Issue.objects.filter(...).update`), or `no-viewer`,
`positional-viewer`, `stale-allow`, `allow-without-reason` for (b).

    .venv/bin/python -m tests.layering     # print the violations on the current tree
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "guilin_portal",
    "grids",
    "issues",
    "volunteers",
    "service_centers",
    "contracts",
    "party",
    "dashboards",
    "open311",
    "audit",
    "workbench",
    "command_centre",
)

ALLOW_LIST_NAME = "PUBLIC_SELECTORS_WITHOUT_VIEWER"
ALLOW_COMMENT = re.compile(r"#\s*layering:\s*allow\b(?P<reason>.*)")

WRITE_METHODS = frozenset(
    {
        "save",
        "delete",
        "create",
        "update",
        "bulk_create",
        "bulk_update",
        "get_or_create",
        "update_or_create",
        "save_m2m",
    }
)
RELATED_MANAGER_WRITES = frozenset({"add", "remove", "set", "clear"})
THIN_CALLER_NAMES = frozenset({"views", "serializers", "admin", "tasks"})
MODEL_ROOTS = frozenset({"Model", "AbstractUser", "AbstractBaseUser"})
DICT_FACTORIES = frozenset({"dict", "defaultdict", "OrderedDict", "Counter", "get_context_data"})
DICT_ANNOTATIONS = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "defaultdict", "OrderedDict"})
CHECKED_PREFIX = "checked_"


@dataclass(frozen=True, order=True)
class Violation:
    path: str
    scope: str
    what: str
    line: int = field(compare=False)
    message: str = field(compare=False, default="")

    @property
    def key(self) -> str:
        return f"{self.path}:{self.scope}:{self.what}"

    def __str__(self) -> str:
        return f"{self.key}  (line {self.line}) {self.message}".rstrip()


@dataclass
class ModelFacts:
    """What the models modules of our apps declare: model class names and related-manager names."""

    models: set[str] = field(default_factory=set)
    related_managers: set[str] = field(default_factory=set)


# --- walking the tree -------------------------------------------------------------------------


def python_files(root: Path, packages: Iterable[str]) -> Iterator[Path]:
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).parts
            if "migrations" in parts or "__pycache__" in parts:
                continue
            yield path


def thin_caller_kind(relative: Path) -> str | None:
    """'views', 'serializers', 'admin' or 'tasks' when the module is such a thin caller."""
    *folders, filename = relative.parts
    stem = filename.removesuffix(".py")
    if stem in THIN_CALLER_NAMES:
        return stem
    if stem.startswith("admin_"):
        return "admin"
    for folder in reversed(folders[1:]):
        if folder in THIN_CALLER_NAMES:
            return folder
    return None


def is_selector_module(relative: Path) -> bool:
    *folders, filename = relative.parts
    if filename == "selectors.py":
        return True
    private = filename.startswith("_") and filename != "__init__.py"
    return bool(folders) and folders[-1] == "selectors" and not private


def is_models_module(relative: Path) -> bool:
    *folders, filename = relative.parts
    return filename == "models.py" or (bool(folders) and folders[-1] == "models")


def parse(path: Path) -> tuple[ast.Module, dict[int, str]]:
    source = path.read_text(encoding="utf-8")
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string
    return ast.parse(source, filename=str(path)), comments


def last_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.rpartition(".")[2].strip() or None
    return None


def render(node: ast.AST) -> str:
    """The callee as written, arguments elided: `Issue.objects.filter(...).update`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{render(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{render(node.func)}({'...' if node.args or node.keywords else ''})"
    if isinstance(node, ast.Subscript):
        return f"{render(node.value)}[...]"
    return "<expr>"


# --- what the models declare ------------------------------------------------------------------


def model_facts(root: Path, packages: Iterable[str]) -> ModelFacts:
    facts = ModelFacts()
    bases_of: dict[str, set[str]] = {}
    for path in python_files(root, packages):
        if not is_models_module(path.relative_to(root)):
            continue
        tree, _ = parse(path)
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            bases_of[node.name] = {name for base in node.bases if (name := last_name(base))}
            for statement in node.body:
                facts.related_managers |= _related_manager_names(statement)
    # A model is a class whose bases reach models.Model (or Django's user bases) within our models.
    known = set(MODEL_ROOTS)
    changed = True
    while changed:
        changed = False
        for name, bases in bases_of.items():
            if name not in known and bases & known:
                known.add(name)
                changed = True
    facts.models = known - MODEL_ROOTS
    return facts


def _related_manager_names(statement: ast.stmt) -> set[str]:
    """`tags = models.ManyToManyField(...)` gives `tags`; any `related_name="x"` gives `x`."""
    if isinstance(statement, ast.Assign):
        targets, value = statement.targets, statement.value
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        targets, value = [statement.target], statement.value
    else:
        return set()
    if not isinstance(value, ast.Call):
        return set()
    names = set()
    if last_name(value.func) == "ManyToManyField":
        names |= {target.id for target in targets if isinstance(target, ast.Name)}
    for keyword in value.keywords:
        if keyword.arg == "related_name" and isinstance(keyword.value, ast.Constant):
            related = keyword.value.value
            if isinstance(related, str) and related and not related.endswith("+") and "%" not in related:
                names.add(related)
    return names


# --- (a) ORM writes from thin callers ---------------------------------------------------------


class _WriteFinder(ast.NodeVisitor):
    def __init__(self, relative: str, comments: dict[int, str], facts: ModelFacts) -> None:
        self.relative = relative
        self.comments = comments
        self.facts = facts
        self.scopes: list[str] = []
        self.dict_names: list[set[str]] = [set()]
        self.violations: list[Violation] = []

    # scopes
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scopes.append(node.name)
        self.generic_visit(node)
        self.scopes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scopes.append(node.name)
        self.dict_names.append(self.dict_names[-1] | _dict_bound_names(node))
        self.generic_visit(node)
        self.dict_names.pop()
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Module(self, node: ast.Module) -> None:
        self.dict_names = [_dict_bound_names(node)]
        self.generic_visit(node)

    # calls
    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and self._is_orm_write(node, node.func):
            allowed, reason = self._allow_comment(node)
            if not (allowed and reason):
                scope = ".".join(self.scopes) or "<module>"
                message = "call a service instead"
                if allowed:
                    message = "`# layering: allow` needs a reason"
                self.violations.append(Violation(self.relative, scope, render(node.func), node.lineno, message))
        self.generic_visit(node)

    def _is_orm_write(self, call: ast.Call, func: ast.Attribute) -> bool:
        method, receiver = func.attr, func.value
        keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
        positional = len(call.args)
        if method in RELATED_MANAGER_WRITES:
            name = receiver.attr if isinstance(receiver, ast.Attribute) else None
            return bool(name) and (name == "objects" or name.endswith("_set") or name in self.facts.related_managers)
        if method not in WRITE_METHODS:
            return False
        if _is_super_call(receiver):
            # super().create(validated_data) in a serializer, super().save() in a form: the parent
            # writes. (The admin's super().save_model(...) is another method name, not in the set.)
            return True
        receiver_name = (last_name(receiver) or "").lower()
        if method == "save":
            if _is_false(keywords.get("commit")) or _is_false(keywords.get("save")):
                return False
            return positional != 1 and "storage" not in receiver_name
        if method == "delete":
            return positional == 0 and not _is_false(keywords.get("save")) and "storage" not in receiver_name
        if method == "update":
            if positional:
                return False
            return not (isinstance(receiver, ast.Name) and receiver.id in self.dict_names[-1])
        return True

    def _allow_comment(self, call: ast.Call) -> tuple[bool, str]:
        for line in range(call.lineno, (call.end_lineno or call.lineno) + 1):
            match = ALLOW_COMMENT.search(self.comments.get(line, ""))
            if match:
                return True, match["reason"].strip()
        return False, ""


def _is_super_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


def _is_false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _dict_bound_names(scope: ast.AST) -> set[str]:
    """Names this function (or module) binds to a dict; nested functions are their own scope."""
    names: set[str] = set()
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        arguments = scope.args
        for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            if argument.annotation is not None and _annotation_is_dict(argument.annotation):
                names.add(argument.arg)
        if arguments.kwarg is not None:
            names.add(arguments.kwarg.arg)
    for node in _walk_own_scope(scope):
        if isinstance(node, ast.Assign) and _is_dict_value(node.value):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and (_annotation_is_dict(node.annotation) or (node.value is not None and _is_dict_value(node.value)))
        ):
            names.add(node.target.id)
    return names


def _walk_own_scope(scope: ast.AST) -> Iterator[ast.AST]:
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def _is_dict_value(node: ast.AST) -> bool:
    if isinstance(node, ast.Dict | ast.DictComp):
        return True
    return isinstance(node, ast.Call) and last_name(node.func) in DICT_FACTORIES


def _annotation_is_dict(node: ast.AST) -> bool:
    if isinstance(node, ast.Subscript):
        node = node.value
    return last_name(node) in DICT_ANNOTATIONS


def orm_writes(path: Path, relative: str, facts: ModelFacts) -> list[Violation]:
    tree, comments = parse(path)
    finder = _WriteFinder(relative, comments, facts)
    finder.visit(tree)
    return finder.violations


# --- (b) public selectors take the viewer -----------------------------------------------------


def selectors_without_viewer(path: Path, relative: str, facts: ModelFacts) -> list[Violation]:
    tree, _ = parse(path)
    allowed, allow_line = _allow_list(tree)
    violations = []
    public = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            public[node.name] = node
    for name, node in public.items():
        if any(argument.arg == "viewer" for argument in [*node.args.posonlyargs, *node.args.args]):
            message = "`viewer` must be keyword-only (after `*`)"
            violations.append(Violation(relative, name, "positional-viewer", node.lineno, message))
        elif not (_takes_viewer(node) or _takes_checked_object(node, facts.models) or allowed.get(name)):
            message = "needs a keyword-only `viewer`, a parameter typed as a checked model, or an allow-list entry"
            violations.append(Violation(relative, name, "no-viewer", node.lineno, message))
    for name, reason in sorted(allowed.items()):
        if name not in public:
            violations.append(
                Violation(relative, name, "stale-allow", allow_line, f"{ALLOW_LIST_NAME} names no public function")
            )
        elif not reason:
            violations.append(Violation(relative, name, "allow-without-reason", allow_line, "give the reason"))
    return violations


def _allow_list(tree: ast.Module) -> tuple[dict[str, str], int]:
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if any(isinstance(target, ast.Name) and target.id == ALLOW_LIST_NAME for target in targets):
            try:
                entries = ast.literal_eval(value)
            except ValueError as error:
                raise ValueError(f"{ALLOW_LIST_NAME} must be a literal dict (line {node.lineno})") from error
            if not isinstance(entries, dict):
                raise ValueError(f"{ALLOW_LIST_NAME} must be a dict of name -> reason (line {node.lineno})")
            return {str(name): str(reason).strip() for name, reason in entries.items()}, node.lineno
    return {}, 0


def _takes_viewer(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(argument.arg == "viewer" for argument in node.args.kwonlyargs)


def _takes_checked_object(node: ast.FunctionDef | ast.AsyncFunctionDef, models: set[str]) -> bool:
    arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    for argument in arguments:
        if argument.arg == "viewer":
            continue  # the viewer is who asks, not an object someone checked
        if argument.arg.startswith(CHECKED_PREFIX):
            return True
        annotation = argument.annotation
        if isinstance(annotation, ast.Name | ast.Attribute) and last_name(annotation) in models:
            return True
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            text = annotation.value.strip()
            if text.replace(".", "").isidentifier() and last_name(annotation) in models:
                return True
    return False


# --- the whole tree ---------------------------------------------------------------------------


def check_tree(root: Path = ROOT, packages: Iterable[str] = APPS) -> list[Violation]:
    packages = tuple(packages)
    facts = model_facts(root, packages)
    violations: list[Violation] = []
    for path in python_files(root, packages):
        relative_path = path.relative_to(root)
        relative = relative_path.as_posix()
        if thin_caller_kind(relative_path):
            violations += orm_writes(path, relative, facts)
        if is_selector_module(relative_path):
            violations += selectors_without_viewer(path, relative, facts)
    return sorted(violations)


def main() -> int:
    violations = check_tree()
    for violation in violations:
        print(violation)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
