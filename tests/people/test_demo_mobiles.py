"""Every demo person has a plausible mobile of their own (the people import's natural key)."""

import re

import pytest
from django.db.models import Count

from grids.demo_data import MOBILE_CONTACTS_FROM, MOBILE_DEPARTMENTS_FROM, demo_mobile
from grids.models import Post, User

pytestmark = pytest.mark.django_db

MOBILE = re.compile(r"^1[3-9]\d{9}$")


def test_every_seeded_person_with_a_post_has_a_unique_plausible_mobile():
    holders = User.objects.filter(pk__in=Post.terms.values("user_id"))
    phones = list(holders.values_list("phone", flat=True))
    assert phones
    assert all(MOBILE.match(phone) for phone in phones), [p for p in phones if not MOBILE.match(p)][:5]
    duplicates = User.objects.exclude(phone="").values("phone").annotate(n=Count("pk")).filter(n__gt=1)
    assert not duplicates.exists(), list(duplicates[:5])


def test_every_seeded_person_has_a_mobile():
    # Open311 clients' reporter accounts are names on a timeline, not people (they never log in).
    assert not User.objects.filter(phone="").exclude(username__startswith="open311-").exists()


def test_demo_mobiles_are_deterministic_and_distinct_across_the_ranges():
    numbers = [demo_mobile(n) for n in range(20_000)]
    numbers += [demo_mobile(MOBILE_DEPARTMENTS_FROM + n) for n in range(2_000)]
    numbers += [demo_mobile(MOBILE_CONTACTS_FROM + n) for n in range(2_000)]
    assert len(set(numbers)) == len(numbers)
    assert all(MOBILE.match(n) for n in numbers)
    assert demo_mobile(12) == demo_mobile(12)
