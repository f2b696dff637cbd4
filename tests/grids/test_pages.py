"""Log-in, the home page per role, unit pages and their jurisdiction; the admin lists."""

import pytest
from django.test import Client
from django.urls import reverse

from grids.models import GridUnit

from .factories import chain, unit

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default():
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
    assert "登录" in response.content.decode()


def test_language_switch_turns_the_page_english():
    client = Client()
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page


def test_pages_need_a_login():
    response = Client().get(reverse("issues:issue_mine"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_real_login_with_the_demo_password():
    from guilin_portal.demo import DEMO_PASSWORD

    client = Client()
    response = client.post(reverse("login"), {"username": "xiufeng_worker", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("workbench:home")).status_code == 200


def test_home_leads_to_the_units_served(client_as, unit_named):
    district = unit_named("秀峰区")
    response = client_as("xiufeng_district").get(reverse("workbench:home"))
    assert response.status_code == 200
    (card,) = response.context["cards"]
    assert card.where == district.name
    assert reverse("grids:unit_detail", args=[district.pk]) in {action.url for action in card.actions}
    assert "城区工作人员" in response.content.decode()


def test_unit_page_outside_jurisdiction_is_404(client_as, unit_named):
    xiufeng_unit = GridUnit.objects.filter(path__startswith=unit_named("秀峰区").path, level=5).first()
    assert client_as("qixing_worker").get(reverse("grids:unit_detail", args=[xiufeng_unit.pk])).status_code == 404
    assert (
        client_as("qixing_worker").get(reverse("grids:unit_detail", args=[unit_named("秀峰区").pk])).status_code == 404
    )


def test_unit_page_inside_jurisdiction_shows_breadcrumbs_children_and_people(client_as, unit_named):
    district = unit_named("秀峰区")
    street = GridUnit.objects.filter(parent=district).order_by("path").first()
    response = client_as("xiufeng_district").get(reverse("grids:unit_detail", args=[street.pk]))
    assert response.status_code == 200
    crumbs = response.context["breadcrumbs"]
    assert [c.unit.name for c in crumbs] == ["桂林市", "秀峰区"]
    assert [c.visible for c in crumbs] == [False, True]  # the city page is outside a district's jurisdiction
    children = response.context["children"]
    assert [c.unit for c in children] == list(GridUnit.objects.filter(parent=street).order_by("path"))
    for row in children:
        assert row.units_below == GridUnit.objects.subtree_of(row.unit).count() - 1
    assert any(p.user.username == "xiufeng_street" for p in response.context["posts"])


def test_district_staff_cannot_open_another_district(client_as, unit_named):
    assert (
        client_as("xiufeng_district").get(reverse("grids:unit_detail", args=[unit_named("七星区").pk])).status_code
        == 404
    )


@pytest.mark.parametrize("children", [3, 30])
def test_unit_page_queries_do_not_grow_with_children(children, client_as, unit_named, django_assert_num_queries):
    district = unit_named("雁山区")
    street = unit(district)
    for _ in range(children):
        chain(unit(street), GridUnit.Level.AREA)
    client = client_as("admin")
    client.get(reverse("grids:unit_detail", args=[street.pk]))  # warm the session
    # session, user, the viewer's standing and unread notifications (header), unit, ancestors, children,
    # two subtree aggregates, posts
    with django_assert_num_queries(10):
        response = client.get(reverse("grids:unit_detail", args=[street.pk]))
    assert len(response.context["children"]) == children


@pytest.mark.parametrize("rows", [10, 50])
def test_admin_unit_list_queries_do_not_grow_with_rows(rows, client_as, django_assert_num_queries):
    client = client_as("admin")
    url = reverse("admin:grids_gridunit_changelist") + "?level=7&o=1"
    client.get(url)
    from grids.admin import GridUnitAdmin

    GridUnitAdmin.list_per_page = rows
    try:
        with django_assert_num_queries(5):
            response = client.get(url)
    finally:
        GridUnitAdmin.list_per_page = 50
    assert len(response.context["cl"].result_list) == rows
    assert " › " in response.content.decode()


@pytest.mark.parametrize("rows", [10, 50])
def test_admin_post_list_queries_do_not_grow_with_rows(rows, client_as, django_assert_num_queries):
    client = client_as("admin")
    url = reverse("admin:grids_post_changelist")
    from grids.admin import PostAdmin

    client.get(url)
    PostAdmin.list_per_page = rows
    try:
        with django_assert_num_queries(5):
            response = client.get(url)
    finally:
        PostAdmin.list_per_page = 100
    assert len(response.context["cl"].result_list) == rows


def test_units_api_is_scoped(client_as, unit_named):
    qixing = unit_named("七星区")
    response = client_as("xiufeng_district").get("/api/v1/units/", {"level": 2})
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["秀峰区"]
    assert client_as("xiufeng_district").get(f"/api/v1/units/{qixing.pk}/").status_code == 404
