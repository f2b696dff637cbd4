"""`manage.py import_boundaries <level> <file.geojson> [--dry-run]`: real boundaries for one level of the tree.

Each feature names its unit by `properties.code`. Every feature is checked (valid polygon, closed rings,
inside its parent, not overlapping a sibling beyond the tolerance: grids.geography.imports); the accepted
ones are written in one transaction, the refused ones are listed with why. Nothing is written with --dry-run.
"""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from grids.geography.imports import apply_boundaries, plan_boundaries
from grids.geography.shapes import NESTING_TOLERANCE_M, OVERLAP_TOLERANCE
from grids.management.base import SystemCommand
from grids.models import GridUnit

LEVEL_NAMES = {
    "city": GridUnit.Level.CITY,
    "district": GridUnit.Level.DISTRICT,
    "street": GridUnit.Level.STREET,
    "community": GridUnit.Level.COMMUNITY,
    "area": GridUnit.Level.AREA,
    "compound": GridUnit.Level.COMPOUND,
    "zone": GridUnit.Level.ZONE,
}


def parse_level(value: str) -> int:
    if value.isdigit() and int(value) in GridUnit.Level.values:
        return int(value)
    if value.lower() in LEVEL_NAMES:
        return LEVEL_NAMES[value.lower()]
    raise CommandError(f"level must be 1-7 or one of {', '.join(LEVEL_NAMES)}; got {value!r}")


class Command(SystemCommand):
    help = "Import GridUnit boundaries of one level from a GeoJSON FeatureCollection (features matched by code)."

    def add_arguments(self, parser):
        parser.add_argument("level", help="1-7 or city/district/street/community/area/compound/zone")
        parser.add_argument("file", help="a GeoJSON FeatureCollection, WGS-84, properties.code on each feature")
        parser.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
        parser.add_argument("--nesting-tolerance", type=float, default=NESTING_TOLERANCE_M, help="metres")
        parser.add_argument("--overlap-tolerance", type=float, default=OVERLAP_TOLERANCE, help="share of area")

    def handle(self, *args, level, file, dry_run, nesting_tolerance, overlap_tolerance, **options):
        level = parse_level(level)
        try:
            collection = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        try:
            plan = plan_boundaries(
                level, collection, nesting_tolerance_m=nesting_tolerance, overlap_tolerance=overlap_tolerance
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        label = GridUnit.Level(level).label
        self.stdout.write(f"Level {level} ({label}): {len(plan.accepted)} accepted, {len(plan.refused)} refused.")
        for refusal in plan.refused:
            self.stdout.write(f"  REFUSED {refusal.code}: {refusal.reason}")
        if plan.unchecked_parents:
            self.stdout.write(
                f"  note: {len(plan.unchecked_parents)} parent(s) have no boundary, nesting not checked: "
                + ", ".join(plan.unchecked_parents[:20])
            )
        if dry_run:
            self.stdout.write("Dry run: nothing written.")
            return
        written = apply_boundaries(plan)
        self.stdout.write(self.style.SUCCESS(f"Wrote {written} boundaries in one transaction."))
