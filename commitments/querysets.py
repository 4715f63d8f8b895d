from __future__ import annotations

from django.db import connection, models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from paga.search import search_words


class CommitmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> CommitmentQuerySet:
        """Rows `user` may see; agrees with rules.py `commitments.view_commitment`.

        The public sees everything past a draft (withdrawn and merged included: traceability). Drafts
        are seen by the Secretaría and by reviewers of the draft's lead entity.
        """
        from .models import Commitment

        if user.has_perm("commitments.view_all"):
            return self
        public = self.filter(status__in=Commitment.PUBLIC_STATUSES)
        if getattr(user, "entity_id", None) and user.has_perm("commitments.review_queue"):
            return self.filter(Q(status__in=Commitment.PUBLIC_STATUSES) | Q(lead_entity_id=user.entity_id))
        return public

    def with_list_data(self) -> CommitmentQuerySet:
        """Cards' data in one query. Milestones are counted per row in a subquery: a join would group
        every visible commitment with all its milestones before the page takes its twenty."""
        from .models import Milestone

        per_commitment = (
            Milestone.objects.filter(commitment=OuterRef("pk"))
            .order_by()
            .values("commitment")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.select_related("lead_entity", "theme", "priority", "origin_region").annotate(
            n_milestones=Coalesce(Subquery(per_commitment, output_field=models.IntegerField()), 0)
        )

    def search(self, text: str) -> CommitmentQuerySet:
        """Spanish full-text search (ranked, accent-insensitive) on PostgreSQL; plain matching on SQLite.

        Only the first `paga.search.MAX_WORDS` words are searched: a query of a thousand words was
        refused by SQLite and is no use to anyone.
        """
        words, _cut = search_words(text)
        if not words:
            return self
        text = " ".join(words)
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

            from .search import unaccent_config

            config = unaccent_config()
            # SearchVector already turns a NULL into "" (a Coalesce of its own around a text cast).
            vector = (
                SearchVector("title", weight="A", config=config)
                + SearchVector("description", weight="B", config=config)
                + SearchVector("problem", weight="B", config=config)
                + SearchVector("how_it_helps", weight="C", config=config)
            )
            query = SearchQuery(text, config=config, search_type="websearch")
            # Match with @@: ts_rank gives 1e-20, not 0, to a row that does not match at all.
            return (
                self.alias(document=vector)
                .filter(document=query)
                .annotate(rank=SearchRank(vector, query))
                .order_by("-rank", "pk")
            )
        condition = Q()
        for word in words:
            condition &= (
                Q(title__icontains=word) | Q(description__icontains=word) | Q(problem__icontains=word)
            )
        return self.filter(condition)
