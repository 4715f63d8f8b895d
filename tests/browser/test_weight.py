"""Light pages: every public page, loaded cold in Chromium, weighs at most 60 KB and asks no other host.

The live server sends static files uncompressed while production compresses them (whitenoise, gzip and
brotli), so the weight is measured as production would send it: the body of every response the page
gets, gzip level 9 for text (HTML, CSS, JavaScript, SVG, JSON) and as it is for the rest (images, fonts).
Cold means a new browser context, so an empty cache, for each page. The pages are those below (a filtered
list, a merged proposal, the 404 page) and every public page of the enumeration of tests/browser/
test_every_page.py, which fails when a route has no row there. The table of weights is printed in the test
output and written to bench/results/page-weight.md.

The pages are weighed in GROUPS tests, group k taking every GROUPS-th page from the k-th, so that test
processes share them out (the example is loaded once per process: tests/example_snapshot.py). Within a
group the next page loads while the network of the one before it falls quiet (Playwright's networkidle:
no request for 500 ms), each in its own context still: the same measure, without waiting for the quiet
page after page.
"""

import fcntl
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
GROUPS = 4

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


class Loading:
    """One page loading in a fresh context (empty cache), every response it gets recorded."""

    def __init__(self, browser, base_url: str, name: str, path: str):
        self.weight = Weight(name, path)
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.log = RequestLog(self.page, base_url)
        self.responses = []
        self.page.on("response", lambda response: self.responses.append(response))
        self.weight.status = self.page.goto(base_url + path).status

    def weigh(self) -> tuple[Weight, list[str]]:
        """Once the page's network is quiet: every response it got added up; the context closed."""
        self.page.wait_for_load_state("networkidle")
        weight = self.weight
        for response in self.responses:
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
        self.context.close()
        return weight, self.log.foreign


def _weigh_all(browser, base_url: str, pages: dict[str, str]) -> tuple[list[Weight], dict[str, list[str]]]:
    """Each page loaded cold and weighed, the next one loading while the one before it falls quiet."""
    weights, foreign = [], {}
    before = None
    for name, path in [*pages.items(), (None, None)]:
        loading = Loading(browser, base_url, name, path) if name is not None else None
        if before is not None:
            weight, foreign[before.weight.name] = before.weigh()
            weights.append(weight)
        before = loading
    return weights, foreign


HEADER = [
    f"Page weight, loaded cold in Chromium (budget {BUDGET // 1024} KB a page compressed, "
    f"{HTML_BUDGET // 1024} KB for its HTML)",
    "",
    "| Page | Path | Status | Requests | Raw bytes | Compressed bytes | HTML compressed |",
    "|---|---|---:|---:|---:|---:|---:|",
]


def _row(w: Weight) -> str:
    sizes = f"{w.raw:,} | {w.compressed:,} | {w.html:,}"
    return f"| {w.name} | `{w.path}` | {w.status} | {w.requests} | {sizes} |"


def _table(weights: list[Weight]) -> str:
    return "\n".join(HEADER + [_row(w) for w in weights]) + "\n"


def _record(weights: list[Weight], names: list[str]) -> None:
    """This group's rows into RESULTS, in the order of `names` (every page), beside the rows the other
    groups wrote there (test processes take turns: a lock on the file)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a+", encoding="utf-8") as results:
        fcntl.flock(results, fcntl.LOCK_EX)
        results.seek(0)
        rows = {
            line.split(" | ", 1)[0].removeprefix("| "): line
            for line in results.read().splitlines()
            if line.startswith("| ") and not line.startswith(HEADER[2])
        }
        rows.update({w.name: _row(w) for w in weights})
        results.seek(0)
        results.truncate()
        results.write("\n".join(HEADER + [rows[name] for name in names if name in rows]) + "\n")


@pytest.mark.parametrize("group", range(GROUPS), ids=lambda k: f"group {k + 1} of {GROUPS}")
def test_every_public_page_is_light_and_asks_no_other_host(
    group, browser, live_server, example_plan, settings, capsys
):
    settings.COCREA_AS_OF = AS_OF  # a day with a stage in progress, so every state is on the page
    every = pages_to_weigh(page_targets(example_plan))
    pages = dict(list(every.items())[group::GROUPS])
    weights, foreign = _weigh_all(browser, live_server.url, pages)
    _record(weights, list(every))
    with capsys.disabled():
        print("\n" + _table(weights))  # noqa: T201 -- the table is what this test reports

    assert len(every) > 2 * GROUPS  # so that each group has pages
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
