"""bench/busy.py and the render rows (issue 15): the forum's comments are stored rendered as the services
store them, so the benchmark measures the portal's read path; the readers' script rotates over the ten
pages given."""

import pytest

from bench import busy, forum
from consultations import markdown
from consultations.models import Contribution

pytestmark = pytest.mark.django_db


def test_the_synthetic_forum_stores_its_comments_rendered(example_plan):
    slug = forum.load_forum(comments=20)
    rows = Contribution.objects.filter(commitment__slug=slug)
    assert set(rows.values_list("text_html_version", flat=True)) == {markdown.VERSION}
    assert all(row.text_html == str(markdown.render(row.text)) for row in rows)


def test_the_readers_script_rotates_over_the_pages():
    pages = [f'/p{n}/?q="x"' for n in range(10)]
    script = busy.lua_script(pages)
    try:
        text = script.read_text()
    finally:
        script.unlink()
    assert text.count("/p") == 10
    assert '"/p0/?q=\\"x\\""' in text
    assert "i = i % #paths + 1" in text
