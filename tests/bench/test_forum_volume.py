"""bench/forum.py builds the thread the benchmark measures: the shape the forum issue names."""

import pytest
from django.db.models import Count

from bench import forum
from consultations.models import Contribution, Response, Support

pytestmark = pytest.mark.django_db


def test_the_synthetic_forum_has_exactly_the_comments_asked_threaded_two_levels(example_plan):
    slug = forum.load_forum(comments=500)
    rows = Contribution.objects.filter(commitment__slug=slug)
    assert rows.count() == 500
    by_depth = dict(rows.values_list("depth").annotate(n=Count("pk")))
    assert by_depth == {0: 100, 1: 200, 2: 200}  # two pages of 50 top-level comments
    assert all(c.parent.depth == c.depth - 1 for c in rows.filter(depth__gt=0).select_related("parent"))
    assert rows.filter(state=Contribution.State.HIDDEN).exclude(hidden_reason="").count() == 25
    assert Response.objects.filter(contribution__in=rows, published_at__isnull=False).count() > 100
    assert Support.objects.filter(contribution__in=rows).count() > 100

    assert forum.load_forum(comments=500) == slug  # same count: nothing rebuilt
    forum.load_forum(comments=5)
    assert rows.count() == 5
    assert dict(rows.values_list("depth").annotate(n=Count("pk"))) == {0: 1, 1: 2, 2: 2}
