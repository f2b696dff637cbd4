"""Thin callers do not write and public selectors take the viewer (the rules: tests/layering.py).

Print what the checker finds with `.venv/bin/python -m tests.layering`.
"""

from pathlib import Path
from textwrap import dedent

from tests.layering import check_tree


def write_app(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / "badapp" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(source), encoding="utf-8")


def keys(root: Path) -> set[str]:
    return {violation.key for violation in check_tree(root, ["badapp"])}


def test_the_checker_reports_a_write_in_a_view_and_a_selector_without_viewer(tmp_path):
    write_app(
        tmp_path,
        {
            "__init__.py": "",
            "views.py": """
                def thing_edit(request, obj):
                    obj.save()
            """,
            "selectors.py": """
                def thing_list():
                    return []

                def thing_detail(*, viewer, pk):
                    return None

                def _helper():
                    return None
            """,
        },
    )

    assert keys(tmp_path) == {"badapp/views.py:thing_edit:obj.save", "badapp/selectors.py:thing_list:no-viewer"}


def test_the_checker_tells_orm_writes_from_look_alikes(tmp_path):
    write_app(
        tmp_path,
        {
            "__init__.py": "",
            "models.py": """
                from django.db import models

                class Thing(models.Model):
                    tags = models.ManyToManyField("Tag")

                class SpecialThing(Thing):
                    pass
            """,
            "views.py": """
                from django.core.cache import cache

                class ThingView:
                    def get_context_data(self, **kwargs):
                        context = super().get_context_data(**kwargs)
                        context.update(title="x")         # a dict bound here
                        kwargs.update(extra=1)            # **kwargs is a dict
                        context.update({"a": 1})          # positional: dict or set
                        cache.delete("key")               # positional: cache, storage
                        return context

                    def post(self, request, form, workbook, output):
                        obj = form.save(commit=False)     # no row written
                        workbook.save(output)             # a file target
                        obj.tags.add(1)                   # a many-to-many manager
                        obj.save()  # layering: allow the one reviewed exception
                        Thing.objects.filter(pk=1).update(name="x")
                        obj.delete()  # layering: allow
                        return obj
            """,
            "api/serializers.py": """
                class ThingSerializer:
                    def create(self, validated_data):
                        return super().create(validated_data)
            """,
            "admin.py": """
                class ThingAdmin:
                    def save_model(self, request, obj, form, change):
                        if change:
                            super().save_model(request, obj, form, change)   # Django's default save
                            return
                        obj.save()
            """,
            "tasks.py": """
                def thing_tally(pk):
                    Thing.objects.update_or_create(pk=pk, defaults={})
            """,
            "selectors/__init__.py": "",
            "selectors/things.py": """
                PUBLIC_SELECTORS_WITHOUT_VIEWER = {
                    "thing_kinds": "reference data, the same for every viewer",
                    "thing_gone": "a stale entry",
                    "thing_colours": "",
                }

                def thing_kinds():
                    return []

                def thing_colours():
                    return []

                def thing_parts(*, thing: "SpecialThing"):
                    return []

                def thing_history(*, checked_things):
                    return []

                def thing_maybe(*, thing: SpecialThing | None):
                    return []

                def thing_q(viewer):
                    return None
            """,
            "selectors/_private.py": """
                def anything():
                    return []
            """,
        },
    )

    assert keys(tmp_path) == {
        "badapp/views.py:ThingView.post:obj.tags.add",
        "badapp/views.py:ThingView.post:Thing.objects.filter(...).update",
        "badapp/views.py:ThingView.post:obj.delete",
        "badapp/api/serializers.py:ThingSerializer.create:super().create",
        "badapp/admin.py:ThingAdmin.save_model:obj.save",
        "badapp/tasks.py:thing_tally:Thing.objects.update_or_create",
        "badapp/selectors/things.py:thing_gone:stale-allow",
        "badapp/selectors/things.py:thing_colours:allow-without-reason",
        "badapp/selectors/things.py:thing_colours:no-viewer",
        "badapp/selectors/things.py:thing_maybe:no-viewer",
        "badapp/selectors/things.py:thing_q:positional-viewer",
    }


def test_the_tree_holds_no_layering_violation():
    # (a) an ORM write in a thin caller: call a service instead;
    # (b) a public selector without a keyword-only viewer: add `*, viewer`, take a checked object,
    # make the helper private (`_name`) or list it in the module's PUBLIC_SELECTORS_WITHOUT_VIEWER.
    found = sorted(str(violation) for violation in check_tree())
    assert not found, "\n".join(["Layering violations (tests/layering.py has the rules and the escape):", *found])
