"""How many words of a search are used, for every search box of the portal and of the back office.

Each word adds conditions to the query: a thousand of them made SQLite refuse it ("Expression tree is
too large", a 500), and no one searches with more than a few. The first MAX_WORDS are searched and the
page says so (commitments' list: commitments/filters.py; the back office: `CappedSearchAdmin`).
"""

from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext as _

MAX_WORDS = 10


def search_words(text: str) -> tuple[list[str], bool]:
    """The words of `text` that are searched (the first MAX_WORDS), and whether any were left out."""
    words = (text or "").split()
    return words[:MAX_WORDS], len(words) > MAX_WORDS


class CappedSearchAdmin:
    """A ModelAdmin whose search box searches the first MAX_WORDS words and says so."""

    def get_search_results(self, request, queryset, search_term):
        words, cut = search_words(search_term)
        if cut:
            messages.warning(
                request,
                _("Only the first %(n)s words were searched: “%(words)s”.")
                % {"n": MAX_WORDS, "words": " ".join(words)},
            )
        return super().get_search_results(request, queryset, " ".join(words))
