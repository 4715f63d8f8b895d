"""Light pages: every public page, loaded cold in Chromium, weighs at most 60 KB and asks no other host.

The live server sends static files uncompressed while production compresses them (whitenoise, gzip and
brotli), so the weight is measured as production would send it: the body of every response the page
gets, gzip level 9 for text (HTML, CSS, JavaScript, SVG, JSON) and as it is for the rest (images, fonts).
Cold means a new browser context, so an empty cache, for each page. The pages are those below (a filtered
list, a merged proposal, the 404 page) and every public page of the enumeration of tests/browser/
test_every_page.py, which fails when a route has no row there. The table of weights is printed in the test
output and written to bench/results/page-weight.md.
"""

import gzip
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import RequestLog
from tests.browser.test_every_page import AS_OF, page_targets, public_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BUDGET = 60 * 1024  # all of a page, compressed
HTML_BUDGET = 50 * 1024  # its HTML alone, compressed
TEXT_TYPES = ("text/", "javascript", "json", "svg", "xml")
RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "page-weight.md"

PAGES = {
    "home": "/",
    "timeline": "/cronograma/",
    "commitments": "/compromisos/",
    "commitments of a region": "/compromisos/?region=san-martin",
    "commitment": "/compromisos/3/",
    "matrix": "/compromisos/matriz/",
    "ranking": "/compromisos/ranking/",
    "merged proposal": None,  # its slug is looked up
    "changes of a commitment": "/compromisos/3/historial/diff/",
    "privacy": "/privacidad/",
    "login": "/cuenta/login/",
    "signup": "/cuenta/signup/",
    "password reset": "/cuenta/password/reset/",
    "not found": "/no-existe/",
}


@dataclass
class Weight:
    name: str
    path: str
    status: int = 0
    requests: int = 0
    raw: int = 0
    compressed: int = 0
    html: int = 0  # the document alone, compressed
    urls: list[str] = field(default_factory=list)


def _path(name: str) -> str:
    if PAGES[name] is not None:
        return PAGES[name]
    from commitments.models import Commitment, Status

    return Commitment.objects.filter(status=Status.MERGED).order_by("pk").first().get_absolute_url()


def pages_to_weigh(targets: dict[str, dict[str, str]]) -> dict[str, str]:
    """PAGES, then every public page of the enumeration not among them: name -> path."""
    pages = {name: _path(name) for name in PAGES}
    for name, path in public_pages(targets).items():
        if path not in pages.values():
            pages[name] = path
    return pages


def _compressed_size(body: bytes, content_type: str) -> int:
    if any(kind in content_type for kind in TEXT_TYPES):
        return len(gzip.compress(body, 9))
    return len(body)


def _weigh(browser, base_url: str, name: str, path: str) -> tuple[Weight, list[str]]:
    """Loads one page in a fresh context (empty cache) and adds up every response it got."""
    weight = Weight(name, path)
    context = browser.new_context()
    page = context.new_page()
    log = RequestLog(page, base_url)
    responses = []
    page.on("response", lambda response: responses.append(response))
    document = page.goto(base_url + weight.path)
    page.wait_for_load_state("networkidle")
    weight.status = document.status
    for response in responses:
        if 300 <= response.status < 400:  # a redirect has no body; its target is another response
            continue
        body = response.body()
        size = _compressed_size(body, response.headers.get("content-type", ""))
        weight.requests += 1
        weight.raw += len(body)
        weight.compressed += size
        weight.urls.append(urlsplit(response.url).path)
        if response.request.resource_type == "document":
            weight.html += size
    context.close()
    return weight, log.foreign


def _table(weights: list[Weight]) -> str:
    lines = [
        f"Page weight, loaded cold in Chromium (budget {BUDGET // 1024} KB a page compressed, "
        f"{HTML_BUDGET // 1024} KB for its HTML)",
        "",
        "| Page | Path | Status | Requests | Raw bytes | Compressed bytes | HTML compressed |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {w.name} | `{w.path}` | {w.status} | {w.requests} | {w.raw:,} | {w.compressed:,} | {w.html:,} |"
        for w in weights
    ]
    return "\n".join(lines) + "\n"


def test_every_public_page_is_light_and_asks_no_other_host(
    browser, live_server, example_plan, settings, capsys
):
    settings.COCREA_AS_OF = AS_OF  # a day with a stage in progress, so every state is on the page
    pages = pages_to_weigh(page_targets(example_plan))
    weights, foreign = [], {}
    for name, path in pages.items():
        weight, foreign[name] = _weigh(browser, live_server.url, name, path)
        weights.append(weight)
    table = _table(weights)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table, encoding="utf-8")
    with capsys.disabled():
        print("\n" + table)  # noqa: T201 -- the table is what this test reports

    assert {w.name: w.status for w in weights} == {
        name: 404 if name == "not found" else 200 for name in pages
    }
    assert {name: urls for name, urls in foreign.items() if urls} == {}
    # The measure counts what the page pulls in, not only its HTML.
    assert all("/static/css/cocrea.css" in w.urls for w in weights)
    assert [w.name for w in weights if w.compressed > BUDGET] == []
    assert [w.name for w in weights if w.html > HTML_BUDGET] == []


def test_the_region_filter_of_the_weighed_list_is_a_real_choice(client, example_plan):
    """The weighed `?region=san-martin` list is filtered, not an invalid choice shown in full."""
    from paga.models import Region

    assert Region.objects.filter(slug="san-martin").exists()
    response = client.get(PAGES["commitments of a region"])
    assert response.status_code == 200
    assert not response.context["filter"].errors
    everything = client.get(PAGES["commitments"]).context["page"].paginator.count
    assert 0 < response.context["page"].paginator.count < everything
