"""Demo data for the grid tree and its people, at the report's scale.

At scale 1 (the report's figures): Guilin's 17 county-level divisions and
their real streets/townships; 115 urban communities (under 街道) and 1,035
villages (under 镇/乡), 1,150 in all (one for each village-level party-and-mass
service center); 5,200 micro-grids (片区, each matched by a party branch);
11,000 compounds (小区, each a party group), 389 of them property-managed with a
party-building instructor; 56,000 party-member responsibility zones (责任区);
1,560 grid leaders (each leading a run of neighbouring micro-grids, one leader
post per micro-grid) and 2,600 grid workers (one micro-grid each, one in five
full-time): 4,160 people. Staff: one per community, two per street, two per
district and one at each district's organisation department.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from grids import demo_data, demo_geometry
from grids.models import GridUnit, Post, User, path_step
from guilin_portal.demo import DemoContext, distribute, insert_rows

DEMO_ORDER = 10

FULL_SCALE = {
    "urban_communities": 115,
    "villages": 1035,
    "micro_grids": 5200,
    "compounds": 11000,
    "property_managed": 389,
    "zones": 56000,
    "grid_leaders": 1560,
    "grid_workers": 2600,
}
URBAN_WEIGHT = 3  # an urban community has about three times a village's micro-grids and compounds


@dataclass(frozen=True)
class Layout:
    """How many units of each kind, and how they spread: a pure function of the scale."""

    streets: list[tuple[int, str]]  # (district index, name)
    communities_per_street: list[int]
    areas_per_community: list[int]
    compounds_per_area: list[int]
    zones_per_compound: list[int]
    community_is_urban: list[bool]
    area_is_urban: list[bool]
    property_managed: int
    grid_leaders: int
    grid_workers: int


@dataclass(frozen=True, slots=True)
class Placed:
    """What later steps need of a unit seeded in bulk: a tenth of a model instance's memory."""

    pk: int
    code: str
    path: str
    name: str
    is_property_managed: bool = False


def _placed(unit: GridUnit) -> Placed:
    return Placed(unit.pk, unit.code, unit.path, unit.name, unit.is_property_managed)


def _scaled(full: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(full * scale))


def layout(scale: float) -> Layout:
    streets: list[tuple[int, str]] = []
    for index, (_code, _name, _urban, names) in enumerate(demo_data.DISTRICTS):
        keep = min(len(names), _scaled(len(names), scale))
        streets.extend((index, name) for name in names[:keep])
    urban_streets = [i for i, (_d, name) in enumerate(streets) if name.endswith("街道")]
    rural_streets = [i for i, (_d, name) in enumerate(streets) if not name.endswith("街道")]
    urban_total = _scaled(FULL_SCALE["urban_communities"], scale, len(urban_streets))
    village_total = _scaled(FULL_SCALE["villages"], scale, len(rural_streets))
    per_street = [0] * len(streets)
    for indices, total in ((urban_streets, urban_total), (rural_streets, village_total)):
        for i, count in zip(indices, distribute(total, [1] * len(indices)), strict=True):
            per_street[i] = count
    community_is_urban = [streets[s][1].endswith("街道") for s, count in enumerate(per_street) for _ in range(count)]
    communities = len(community_is_urban)
    areas = _scaled(FULL_SCALE["micro_grids"], scale, communities)
    areas_per_community = distribute(areas, [URBAN_WEIGHT if u else 1 for u in community_is_urban])
    area_is_urban = [u for u, count in zip(community_is_urban, areas_per_community, strict=True) for _ in range(count)]
    compounds = _scaled(FULL_SCALE["compounds"], scale, areas)
    compounds_per_area = distribute(compounds, [URBAN_WEIGHT if u else 1 for u in area_is_urban])
    zones = _scaled(FULL_SCALE["zones"], scale, compounds)
    urban_compounds = sum(c for c, u in zip(compounds_per_area, area_is_urban, strict=True) if u)
    return Layout(
        streets=streets,
        communities_per_street=per_street,
        areas_per_community=areas_per_community,
        compounds_per_area=compounds_per_area,
        zones_per_compound=distribute(zones, [1] * compounds),
        community_is_urban=community_is_urban,
        area_is_urban=area_is_urban,
        property_managed=min(urban_compounds, _scaled(FULL_SCALE["property_managed"], scale)),
        grid_leaders=min(areas, _scaled(FULL_SCALE["grid_leaders"], scale)),
        grid_workers=_scaled(FULL_SCALE["grid_workers"], scale),
    )


def plan(scale: float) -> dict[str, int]:
    shape = layout(scale)
    districts = len(demo_data.DISTRICTS)
    communities = len(shape.community_is_urban)
    areas = len(shape.area_is_urban)
    return {
        "grids.units.city": 1,
        "grids.units.district": districts,
        "grids.units.street": len(shape.streets),
        "grids.units.community": communities,
        "grids.units.urban_community": sum(shape.community_is_urban),
        "grids.units.area": areas,
        "grids.units.compound": sum(shape.compounds_per_area),
        "grids.units.zone": sum(shape.zones_per_compound),
        "grids.compounds.property_managed": shape.property_managed,
        "grids.posts.grid_leader": areas,
        "grids.posts.grid_worker": shape.grid_workers,
        "grids.posts.party_instructor": shape.property_managed,
        "grids.posts.community_staff": communities,
        "grids.posts.street_staff": 2 * len(shape.streets),
        "grids.posts.district_staff": 2 * districts,
        "grids.posts.org_department": districts,
        "grids.posts.city_admin": 1,
        "grids.people.grid_leaders_and_workers": shape.grid_leaders + shape.grid_workers,
    }


def _cells(parents, counts, *, boxes, keep_boxes=True):
    """(position, parent, i, path, cell) for each child, `counts[k]` under `parents[k]`.

    Each child's boundary is a cell of its parent's box (`boxes`, by path: grids.demo_geometry); the children's
    boxes join `boxes` for the next level down unless `keep_boxes` is false (the zones: nobody splits them).
    """
    position = 0
    for parent, count in zip(parents, counts, strict=True):
        for i, cell in enumerate(demo_geometry.split(boxes[parent.path], count)):
            path = parent.path + path_step(i)
            if keep_boxes:
                boxes[path] = cell
            yield position, parent, i, path, cell
            position += 1


def _child_units(ctx, parents, counts, level, name_of, code_digits=3, property_managed=frozenset(), *, boxes):
    """Unsaved children for each parent, `counts[i]` under `parents[i]`, paths, codes and boundaries assigned."""
    for position, parent, i, path, cell in _cells(parents, counts, boxes=boxes):
        yield GridUnit(
            code=f"{parent.code}{i + 1:0{code_digits}d}",
            name=name_of(parent, i),
            level=level,
            parent_id=parent.pk,
            path=path,
            is_property_managed=position in property_managed,
            **demo_geometry.box_fields(cell),
        )


ZONE_FIELDS = (
    "code", "name", "level", "parent_id", "path", "is_property_managed", "created_at", "boundary",
    "centroid_lat", "centroid_lng", "bbox_south", "bbox_west", "bbox_north", "bbox_east",
)  # fmt: skip


def _zone_rows(compounds, counts, *, boxes, now):
    """The zones as tuples following ZONE_FIELDS: at --scale 10 they are 560,000 rows nobody reads back, and a
    model instance each (with its auto_now_add and its JSON prepared per row) cost a third of the tree's time."""
    zone = GridUnit.Level.ZONE
    for _position, parent, i, path, cell in _cells(compounds, counts, boxes=boxes, keep_boxes=False):
        box = demo_geometry.box_fields(cell)
        yield (
            f"{parent.code}{i + 1:02d}",
            f"{parent.name}第{i + 1}责任区",
            zone,
            parent.pk,
            path,
            False,
            now,
            json.dumps(box["boundary"]),
            box["centroid_lat"],
            box["centroid_lng"],
            box["bbox_south"],
            box["bbox_west"],
            box["bbox_north"],
            box["bbox_east"],
        )


def _person_name(ctx: DemoContext) -> str:
    given = ctx.rng.choice(demo_data.GIVEN) + (ctx.rng.choice(demo_data.GIVEN) if ctx.rng.random() < 0.7 else "")
    return ctx.rng.choice(demo_data.SURNAMES) + given


def seed(ctx: DemoContext) -> None:
    shape = layout(ctx.scale)
    rng = ctx.rng

    city_code, city_name = demo_data.CITY
    # Boundaries (grids.demo_geometry): the districts at their approximate real places, each level below
    # tiling its parent; `boxes` holds each unit's box by path until its children are made.
    city = GridUnit.objects.create(
        code=city_code,
        name=city_name,
        level=GridUnit.Level.CITY,
        path=path_step(0),
        **demo_geometry.box_fields(demo_geometry.CITY_BOX),
    )
    boxes = {}
    districts = ctx.bulk_create(
        GridUnit,
        (
            GridUnit(
                code=code,
                name=name,
                level=GridUnit.Level.DISTRICT,
                parent_id=city.pk,
                path=city.path + path_step(i),
                **demo_geometry.box_fields(demo_geometry.DISTRICT_BOXES[code]),
            )
            for i, (code, name, _urban, _streets) in enumerate(demo_data.DISTRICTS)
        ),
        total=len(demo_data.DISTRICTS),
        label="城区/县",
    )
    street_cells = [
        demo_geometry.split(demo_geometry.DISTRICT_BOXES[district.code], sum(1 for d, _n in shape.streets if d == i))
        for i, district in enumerate(districts)
    ]
    street_rows = []
    for i, (district_index, name) in enumerate(shape.streets):
        district = districts[district_index]
        sibling = sum(1 for d, _n in shape.streets[:i] if d == district_index)
        cell = street_cells[district_index][sibling]
        boxes[district.path + path_step(sibling)] = cell
        street_rows.append(
            GridUnit(
                code=f"{district.code}{sibling + 1:03d}",
                name=name,
                level=GridUnit.Level.STREET,
                parent_id=district.pk,
                path=district.path + path_step(sibling),
                **demo_geometry.box_fields(cell),
            )
        )
    streets = ctx.bulk_create(GridUnit, street_rows, total=len(street_rows), label="街道/乡镇")

    urban_names = iter(range(10**6))
    village_names = iter(range(10**6))

    def community_name(street: GridUnit, i: int) -> str:
        if street.name.endswith("街道"):
            n = next(urban_names)
            stems = demo_data.COMMUNITY_STEMS
            return f"{stems[n % len(stems)]}{'' if n < len(stems) else n // len(stems) + 1}社区"
        n = next(village_names)
        stems = demo_data.VILLAGE_STEMS
        return f"{stems[n % len(stems)]}{'' if n < len(stems) else n // len(stems) + 1}村"

    communities = ctx.bulk_create(
        GridUnit,
        _child_units(ctx, streets, shape.communities_per_street, GridUnit.Level.COMMUNITY, community_name, boxes=boxes),
        total=sum(shape.communities_per_street),
        label="社区/村",
    )
    areas = ctx.bulk_create(
        GridUnit,
        _child_units(
            ctx,
            communities,
            shape.areas_per_community,
            GridUnit.Level.AREA,
            lambda parent, i: f"第{i + 1}片区",
            boxes=boxes,
        ),
        total=len(shape.area_is_urban),
        label="片区（微网格）",
        keep=_placed,
    )

    # Property-managed compounds: spread evenly over the urban compounds.
    compound_is_urban = [
        u for u, c in zip(shape.area_is_urban, shape.compounds_per_area, strict=True) for _ in range(c)
    ]
    urban_positions = [i for i, urban in enumerate(compound_is_urban) if urban]
    step = len(urban_positions) / shape.property_managed if shape.property_managed else 1
    managed = frozenset(urban_positions[int(k * step)] for k in range(shape.property_managed))

    def compound_name(area: GridUnit, i: int) -> str:
        if compound_is_urban_by_area[area.pk]:
            stems = demo_data.COMPOUND_STEMS
            return f"{stems[rng.randrange(len(stems))]}{i + 1}区"
        return f"第{i + 1}村民小组"

    compound_is_urban_by_area = {area.pk: urban for area, urban in zip(areas, shape.area_is_urban, strict=True)}
    compounds = ctx.bulk_create(
        GridUnit,
        _child_units(
            ctx,
            areas,
            shape.compounds_per_area,
            GridUnit.Level.COMPOUND,
            compound_name,
            property_managed=managed,
            boxes=boxes,
        ),
        total=sum(shape.compounds_per_area),
        label="小区",
        keep=_placed,
    )
    insert_rows(
        ctx,
        GridUnit,
        ZONE_FIELDS,
        _zone_rows(compounds, shape.zones_per_compound, boxes=boxes, now=timezone.now()),
        total=sum(shape.zones_per_compound),
        label="党员责任区",
    )
    _seed_people(ctx, shape, city, districts, streets, communities, areas, compounds)


def _seed_people(ctx, shape, city, districts, streets, communities, areas, compounds) -> None:
    """Grid leaders, workers, instructors and staff, with their posts; the demo accounts among them."""
    unusable = make_password(None)
    started = timezone.localdate(ctx.now).replace(month=1, day=1)
    people: list[tuple[User, list[tuple[GridUnit, str, bool]]]] = []

    def person(username: str, posts: list[tuple[GridUnit, str, bool]], **extra) -> None:
        # Every person has a mobile (the natural key of the people import; the exported roster imports back).
        phone = demo_data.demo_mobile(len(people))
        user = User(username=username, full_name=_person_name(ctx), password=unusable, phone=phone, **extra)
        people.append((user, posts))

    # Leaders: contiguous runs of micro-grids in tree order, so each leads neighbours.
    chunks = distribute(len(areas), [1] * shape.grid_leaders)
    start = 0
    for n, size in enumerate(chunks):
        username = "xiufeng_leader" if n == 0 else f"leader{n:05d}"
        person(username, [(area, Post.Role.GRID_LEADER, True) for area in areas[start : start + size]])
        start += size

    qixing = next(d for d in districts if d.name == "七星区")
    qixing_named = False
    for n in range(shape.grid_workers):
        area = areas[n * len(areas) // shape.grid_workers]
        username = f"worker{n:05d}"
        if n == 0:
            username = "xiufeng_worker"
        elif not qixing_named and area.path.startswith(qixing.path):
            username, qixing_named = "qixing_worker", True
        person(username, [(area, Post.Role.GRID_WORKER, n % 5 == 0)])

    for n, compound in enumerate(c for c in compounds if c.is_property_managed):
        person(f"instructor{n:04d}", [(compound, Post.Role.PARTY_INSTRUCTOR, False)])
    for n, community in enumerate(communities):
        person("xiufeng_community" if n == 0 else f"community{n:05d}", [(community, Post.Role.COMMUNITY_STAFF, True)])
    for n, street in enumerate(streets):
        person("xiufeng_street" if n == 0 else f"street{n:04d}a", [(street, Post.Role.STREET_STAFF, True)])
        person(f"street{n:04d}b", [(street, Post.Role.STREET_STAFF, True)])
    for n, district in enumerate(districts):
        person("xiufeng_district" if n == 0 else f"district{n:02d}a", [(district, Post.Role.DISTRICT_STAFF, True)])
        person(f"district{n:02d}b", [(district, Post.Role.DISTRICT_STAFF, True)])
        person(f"orgdept{n:02d}", [(district, Post.Role.ORG_DEPARTMENT, True)])
    person("admin", [(city, Post.Role.CITY_ADMIN, True)], is_staff=True, is_superuser=True)

    # The demo accounts get the shared demo password; everyone else cannot log in.
    demo_hash = ctx.demo_password_hash
    named = {
        "admin": "市级管理员（超级用户）",
        "xiufeng_district": "秀峰区城区工作人员",
        "xiufeng_street": "秀峰街道工作人员",
        "xiufeng_community": "解东社区工作人员",
        "xiufeng_leader": "秀峰区解东社区微网格网格长",
        "xiufeng_worker": "秀峰区解东社区微网格网格员",
        "qixing_worker": "七星区微网格网格员",
    }
    for user, _posts in people:
        if user.username in named:
            user.password = demo_hash
    users = ctx.bulk_create(User, (user for user, _posts in people), total=len(people), label="人员")
    ctx.bulk_create(
        Post,
        (
            Post(user_id=user.pk, unit_id=unit.pk, role=role, is_full_time=full_time, started_on=started)
            for user, (_u, posts) in zip(users, people, strict=True)
            for unit, role, full_time in posts
        ),
        total=sum(len(posts) for _u, posts in people),
        label="岗位",
    )
    for username, description in named.items():
        ctx.add_account(username, description)
