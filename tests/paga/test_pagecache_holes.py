"""Parts of a page kept with holes (paga/pagecache.py `assembled`, issue 15): rendered once for a class
of visitors, each use fills the holes for its own request; never stale, never one visitor's filling shown
to another, and nothing a part shows can pose as a hole."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from paga import pagecache
from paga.models import ActionPlan

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
KIND = "test-visitor"


@pytest.fixture
def visitor_hole():
    """A hole that shows who asks (registered for the test only)."""
    pagecache.HOLES[KIND] = lambda request, data: f"{data}:{request.visitor}"
    yield
    del pagecache.HOLES[KIND]


def asked(rf, visitor: str):
    request = rf.get("/una-pagina/")
    request.user, request.visitor = AnonymousUser(), visitor
    return request


def use(request, compute, name="parte"):
    return pagecache.assembled(request, name, compute, reads=(pagecache.SITE,))


def test_a_part_is_rendered_once_and_each_use_fills_its_holes_for_its_own_visitor(
    rf, fragments, visitor_hole
):
    renderings = []

    def compute(request):
        def render():
            renderings.append(1)
            return {"content": f"<p>antes {pagecache.hole(request, KIND, 'hueco')} después</p>"}

        return render

    first, second = asked(rf, "ana"), asked(rf, "beto")
    assert use(first, compute(first))["content"] == "<p>antes hueco:ana después</p>"
    assert use(second, compute(second))["content"] == "<p>antes hueco:beto después</p>"
    assert len(renderings) == 1


def test_a_write_to_what_the_part_read_renders_it_again(rf, fragments, visitor_hole, example_plan):
    def compute(request):
        def render():
            pagecache.reads(request, "thread:commitment:1")
            name = ActionPlan.objects.get(pk=example_plan.pk).short_name
            return {"content": f"{name} {pagecache.hole(request, KIND, 'x')}"}

        return render

    request = asked(rf, "ana")
    assert use(request, compute(request))["content"] == f"{example_plan.short_name} x:ana"
    ActionPlan.objects.filter(pk=example_plan.pk).update(short_name="Otro nombre")  # moves "site"
    request = asked(rf, "beto")
    assert use(request, compute(request))["content"] == "Otro nombre x:beto"
    with connection.cursor() as cursor:  # what the rendering named itself (a thread) is read too
        cursor.execute(
            f"INSERT INTO {pagecache.TABLE} (name, value) VALUES ('thread:commitment:1', 99) "  # noqa: S608
            "ON CONFLICT (name) DO UPDATE SET value = 99"
        )
    ActionPlan.objects.filter(pk=example_plan.pk).update(short_name="Tercer nombre")
    request = asked(rf, "carla")
    assert use(request, compute(request))["content"] == "Tercer nombre x:carla"


def test_text_that_looks_like_a_hole_is_shown_as_it_is(rf, fragments, visitor_hole):
    forged = "\x000123456789abcdef:0\x00"  # another rendering's nonce: not this part's

    def compute(request):
        return lambda: {"content": f"{forged}|{pagecache.hole(request, KIND, 'real')}"}

    for visitor in ("ana", "beto"):
        request = asked(rf, visitor)
        assert use(request, compute(request))["content"] == f"{forged}|real:{visitor}"


def test_a_fragment_holding_a_hole_is_not_kept_apart_from_its_part(rf, fragments, visitor_hole):
    """A cached fragment inside the part would keep a marker of one rendering: it is not stored."""
    inner = []

    def compute(request):
        def render():
            def fragment():
                inner.append(1)
                return f"[{pagecache.hole(request, KIND, 'dentro')}]"

            html = pagecache.fragment(request, "interior", fragment, reads=(pagecache.SITE,))
            return {"content": html}

        return render

    for index, visitor in enumerate(("ana", "beto")):
        request = asked(rf, visitor)
        assert use(request, compute(request), name=f"parte-{index}")["content"] == f"[dentro:{visitor}]"
    assert len(inner) == 2


def test_without_the_fragment_cache_holes_are_filled_at_once(rf, settings, visitor_hole):
    settings.COCREA_FRAGMENT_CACHE = False
    request = asked(rf, "ana")
    part = use(request, lambda: {"content": pagecache.hole(request, KIND, "y")})
    assert part["content"] == "y:ana"


def test_a_process_reuses_its_own_copy_checked_like_the_shared_one(
    rf, fragments, visitor_hole, example_plan, monkeypatch
):
    """The second use in the same process reads no cache at all, yet a write shows at once."""
    from django.core.cache import cache

    renderings = []

    def compute(request):
        def render():
            renderings.append(1)
            name = ActionPlan.objects.get(pk=example_plan.pk).short_name
            return {"content": f"{name} {pagecache.hole(request, KIND, 'z')}"}

        return render

    request = asked(rf, "ana")
    use(request, compute(request))
    asked_for = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a, **k: asked_for.append(key) or real_get(key, *a, **k))
    request = asked(rf, "beto")
    assert use(request, compute(request))["content"] == f"{example_plan.short_name} z:beto"
    assert not [key for key in asked_for if key.startswith("assembled:")]
    assert len(renderings) == 1

    ActionPlan.objects.filter(pk=example_plan.pk).update(short_name="Nombre nuevo")
    request = asked(rf, "carla")
    assert use(request, compute(request))["content"] == "Nombre nuevo z:carla"
    assert len(renderings) == 2


def test_shared_values_computes_again_only_what_a_write_moved(rf, fragments):
    """`shared_values`: each object's value under its own generation; a write that moves one generation
    has only that object's value computed again, in one call, and a new value shows at once."""
    values = {"a": 1, "b": 2}
    asked_for = []

    def compute(keys):
        asked_for.append(sorted(keys))
        return {each: values[each] for each in keys}

    def use():
        generations = {"a": "consultation:901", "b": "consultation:902"}
        return pagecache.shared_values(asked(rf, "ana"), "cuentas", generations, compute)

    assert use() == {"a": 1, "b": 2}
    assert use() == {"a": 1, "b": 2}  # kept
    values["b"] = 3
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {pagecache.TABLE} (name, value) VALUES ('consultation:902', 7) "  # noqa: S608
            "ON CONFLICT (name) DO UPDATE SET value = 7"
        )
    assert use() == {"a": 1, "b": 3}
    assert asked_for == [["a", "b"], ["b"]]
