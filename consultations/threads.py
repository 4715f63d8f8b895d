"""Read-side of the forum's threads: the contributions on a proposal/commitment (and on the proposals it
came from), on a paragraph or on a document, 50 top-level per page with their replies (two levels).

A page of a thread is ONE query, however many contributions there are: the page of top-level rows is
a LIMIT/OFFSET subquery, the rows are those top-level ones plus the replies whose parent or
grandparent is among them, each with its author and organisation, its response (and the commitment
version it links to) and its support count; the number of top-level rows comes in the same query.
For a signed-in visitor, whether they support or reported each row rides along as EXISTS columns.
Finding the consultation of a commitment is one more query. What a visitor may read of a hidden
contribution is decided in `Entry` through rules.py (`consultations.view_contribution`).
"""

from __future__ import annotations

import datetime
import functools
import math
from dataclasses import dataclass, field

from django.db import connection, models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from commitments.models import Commitment, Version
from commitments.services import ancestors
from paga import clock
from paga.models import Entity, User
from paga.templatetags.portal import html_datetime

from . import markdown, selectors
from .models import Consultation, Contribution, Flag, Follow, Paragraph, Response, Support
from .services import EDIT_WINDOW, STATUSES_TAKING_PART, window_dates

PER_PAGE = 50  # top-level contributions per page
PAGE_PARAM = "comentarios"  # ?comentarios=2#comentarios


class SubqueryCount(Subquery):
    """The number of rows of a queryset, as a scalar subquery (evaluated once, not per row)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _n)"
    output_field = models.IntegerField()

    def __init__(self, queryset, **extra):
        # Unordered: a model's default ordering would have the database sort every row it counts (the
        # consultations' list sorted 20,000 contributions to count them: 28 ms instead of 4).
        super().__init__(queryset.order_by(), **extra)


def support_count() -> Coalesce:
    per_row = (
        Support.objects.filter(contribution=OuterRef("pk"))
        .order_by()
        .values("contribution")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_row, output_field=models.IntegerField()), 0)


def published(response: Response | None) -> Response | None:
    return response if response is not None and response.published_at is not None else None


class Urls:
    """The links of a contribution's card, each reversed once per page (not once per comment): a URL
    pattern reversed with a placeholder pk, then filled in per row."""

    PLACEHOLDER = 987654321
    NAMES = {
        "reply": "consultations:reply",
        "support": "consultations:support",
        "flag": "consultations:flag",
        "edit": "consultations:edit",
        "contribution": "consultations:contribution",
    }

    def __init__(self):
        self._patterns = {kind: reverse(name, args=[self.PLACEHOLDER]) for kind, name in self.NAMES.items()}

    def __call__(self, kind: str, pk: int) -> str:
        return self._patterns[kind].replace(str(self.PLACEHOLDER), str(pk))


@dataclass
class Entry:
    """A contribution as one visitor sees it, with its replies: everything its card shows (the visitor's
    flags, the names, the links, the text as HTML), computed once when the thread is built, so that the
    template only reads attributes (no permission check, no reverse, no failed lookup per comment)."""

    contribution: Contribution
    user: object
    now: datetime.datetime
    on: Commitment | None = None  # the proposal it is about, when not the page's own item
    replies: list[Entry] = field(default_factory=list)
    item: Commitment | None = None  # the proposal it is about, when the thread knows it (no query)
    urls: Urls | None = None  # the page's URL patterns (one per entry when not given)

    def __post_init__(self):
        c = self.contribution
        urls = self.urls or Urls()
        self.urls = None  # not kept: the card reads the links below
        self.pk = c.pk
        user_pk = getattr(self.user, "pk", None)
        hidden = c.is_hidden
        # The text is shown: visible, or hidden and the visitor is its author or staff (rules.py; a
        # visible one is readable by anyone there, so the rule is asked only of hidden ones).
        self.readable = not hidden or self.user.has_perm("consultations.view_contribution", c)
        self.hidden_label = str(c.get_state_display()) if hidden else ""
        self.is_own = c.author_id is not None and c.author_id == user_pk
        takes_part = self._item_takes_part()
        is_open = c.consultation.is_open(self.now)
        self.may_reply = (
            c.depth < Contribution.MAX_DEPTH
            and not hidden
            and c.channel == "foro_virtual"
            and is_open
            and takes_part
        )
        # As services.contribution_support_refusal: while its consultation is open, on a proposal that
        # still takes part.
        self.may_support = not hidden and is_open and takes_part
        self.may_edit = self.is_own and not hidden and self.now - c.created <= EDIT_WINDOW
        try:  # only a published response shows; a draft answers nothing publicly
            self.response = published(c.response)
        except Response.DoesNotExist:
            self.response = None
        self.n_supports = getattr(c, "n_supports", 0)
        self.i_support = getattr(c, "i_support", False)  # annotated for a signed-in visitor only
        self.i_flagged = getattr(c, "i_flagged", False)
        self.author_name = selectors.author_name(c)
        author = c.author if c.author_id else None
        self.entity_name = author.entity.name if author is not None and author.entity_id else ""
        self.text_html = markdown.html_of(c) if self.readable or not hidden else ""
        self.on_url = self.on.get_absolute_url() if self.on is not None else ""
        self.reply_url = urls("reply", c.pk)
        self.support_url = urls("support", c.pk)
        self.flag_url = urls("flag", c.pk)
        self.edit_url = urls("edit", c.pk)
        version = self.response.commitment_version if self.response else None
        self.version = version
        self.version_url = selectors.version_url(version) if version is not None else ""
        duplicate = self.response.duplicate_of_id if self.response else None
        self.duplicate_url = urls("contribution", duplicate) if duplicate else ""

    def _item_takes_part(self) -> bool:
        """Its proposal still takes replies and supports (services.STATUSES_TAKING_PART)."""
        c = self.contribution
        item = self.item
        if item is None and c.commitment_id and Contribution.commitment.is_cached(c):
            item = c.commitment
        return item is None or item.status in STATUSES_TAKING_PART


@dataclass
class Thread:
    entries: list[Entry]
    total: int  # top-level contributions
    page: int
    per_page: int = PER_PAGE
    html: str = ""  # the items of its list, rendered (fragments.thread_page)
    item_marks: tuple[bool, bool] = (False, False)  # the visitor supports, follows the item (thread_page)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def page_numbers(self) -> list[int]:
        return list(range(1, self.pages + 1))

    @property
    def has_other_pages(self) -> bool:
        return self.pages > 1


class Entries:
    """Makes the entries of one page of a thread for one visitor: `Entries(...)(row)` (the proposal each
    row is about, and whether it is labelled with it, from the thread's own items; no query)."""

    def __init__(self, *, user, now, own: Commitment | None = None, others=()):
        self.user, self.now, self.own = user, now, own
        self.by_commitment = {c.pk: c for c in others}
        self.items = {**self.by_commitment, **({own.pk: own} if own is not None else {})}
        self.urls = Urls()

    def __call__(self, row: Contribution) -> Entry:
        own = self.own
        labelled = own is not None and row.commitment_id != own.pk
        on = self.by_commitment.get(row.commitment_id) if labelled else None
        return Entry(
            contribution=row,
            user=self.user,
            now=self.now,
            on=on,
            item=self.items.get(row.commitment_id),
            urls=self.urls,
        )


def page_number(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


# --- A page of a thread, in one query written out --------------------------------------------------
# A busy consultation moves a thread's generation with every comment, and the next reader builds its page
# again (fragments.thread_page). Through the ORM that took 35-50 ms for 105 rows: 8 ms to compile the
# query (the page's subquery three times, a subquery per count) and the rest to bring and convert every
# column of seven tables (a password hash, a version's whole snapshot, a consultation's rules), of which a
# card shows a few. Written out, nothing is compiled per request, only what `Entry` and the card read is
# read, and the rows become the same model instances (the columns not read are deferred).


def _q(model, name: str) -> str:
    """A model field's column, quoted."""
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@dataclass(frozen=True)
class Scope:
    """The contributions a thread holds: a condition on a table alias (`{t}`) with its parameters."""

    where: str
    params: tuple

    def on(self, alias: str) -> tuple[str, list]:
        return self.where.format(t=alias), list(self.params)

    @classmethod
    def equal(cls, **values) -> Scope:
        """Contributions whose fields are these values (None: is null), e.g. `Scope.equal(paragraph=3)`;
        a list: in it."""
        conditions, params = [], []
        for name, value in values.items():
            column = "{t}." + _q(Contribution, name)
            if value is None:
                conditions.append(f"{column} IS NULL")
            elif isinstance(value, list | tuple):
                conditions.append(f"{column} IN ({', '.join(['%s'] * len(value))})")
                params += value
            else:
                conditions.append(f"{column} = %s")
                params.append(value)
        return cls(" AND ".join(conditions), tuple(params))


class _Table:
    """The columns read of one table of the query (its pk first; `names=None`: every column) and how a
    row's slice of them becomes an instance as the ORM makes it: through the fields' converters (SQLite
    returns dates as text and booleans as integers), the other columns deferred."""

    def __init__(self, model, alias: str, names: tuple[str, ...] | None = None, read: dict | None = None):
        pk = model._meta.pk
        others = [
            f for f in model._meta.concrete_fields if f is not pk and (names is None or f.attname in names)
        ]
        fields = [pk, *others]
        self.model = model
        self.names = [f.attname for f in fields]
        read = read or {}  # attname -> the SQL that reads it, when not the alias's own column
        self.columns = [read.get(f.attname, f"{alias}.{connection.ops.quote_name(f.column)}") for f in fields]
        self.converters = []
        for at, f in enumerate(fields):
            column = f.get_col(alias)
            for convert in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
                self.converters.append((at, convert, column))

    def make(self, values: list):
        if values[0] is None:  # an outer join that found no row
            return None
        for at, convert, column in self.converters:
            values[at] = convert(values[at], column, connection)
        return self.model.from_db(connection.alias, self.names, values)


@functools.cache
def _tables(vendor: str) -> dict[str, _Table]:
    """The query's tables, once per database vendor (quoting and converters depend on it)."""
    consultation = tuple(
        f.attname for f in Consultation._meta.concrete_fields if f.name not in ("description", "rules")
    )
    # The author and their organisation by the author's pk, as subqueries: joined, the planner hashed the
    # whole table of people to find a hundred of them (and took longer to plan).
    author = f"{_table(User)} u WHERE u.{_q(User, 'id')} = c.{_q(Contribution, 'author')}"
    entity_id = f"(SELECT u.{_q(User, 'entity')} FROM {author})"  # noqa: S608 (names only)
    entity_name = (
        f"(SELECT e.{_q(Entity, 'name')} FROM {_table(Entity)} e WHERE e.{_q(Entity, 'id')} = {entity_id})"  # noqa: S608
    )
    return {
        "contribution": _Table(Contribution, "c"),
        "consultation": _Table(Consultation, "k", consultation),
        "author": _Table(
            User,
            "u",
            ("display_name", "entity_id"),
            read={
                "id": f"c.{_q(Contribution, 'author')}",
                "display_name": f"(SELECT u.{_q(User, 'display_name')} FROM {author})",  # noqa: S608
                "entity_id": entity_id,
            },
        ),
        "entity": _Table(Entity, "e", ("name",), read={"id": entity_id, "name": entity_name}),
        "response": _Table(Response, "r"),
        "version": _Table(Version, "v", ("commitment_id", "number")),
        "commitment": _Table(Commitment, "m", ("number", "slug", "title")),
    }


def _joins() -> str:
    """The tables of `_tables` joined to the contribution `c` (and its parent `p`)."""

    def join(model, alias: str, own: str, other: str, kind: str = "LEFT OUTER") -> str:
        return f"{kind} JOIN {_table(model)} {alias} ON {alias}.{_q(model, own)} = {other}"

    def of(model, alias: str, name: str) -> str:
        return f"{alias}.{_q(model, name)}"

    return " ".join(
        (
            join(Contribution, "p", "id", of(Contribution, "c", "parent")),
            join(Consultation, "k", "id", of(Contribution, "c", "consultation"), kind="INNER"),
            join(Response, "r", "contribution", of(Contribution, "c", "id")),
            join(Version, "v", "id", of(Response, "r", "commitment_version")),
            join(Commitment, "m", "id", of(Version, "v", "commitment")),
        )
    )


def _per_row(user) -> tuple[list[str], list[str], list]:
    """The computed columns: the support count and, for a signed-in visitor, whether they support and
    reported the row. (names, SQL, parameters)."""
    pk = _q(Contribution, "id")
    names = ["n_supports"]
    count = f"SELECT COUNT(*) FROM {_table(Support)} s WHERE s.{_q(Support, 'contribution')} = c.{pk}"  # noqa: S608
    sql = [f"({count})"]
    params = []
    if user is not None and user.is_authenticated:
        for model, name in ((Support, "i_support"), (Flag, "i_flagged")):
            names.append(name)
            on, person = _q(model, "contribution"), _q(model, "user")
            mark = f"SELECT 1 FROM {_table(model)} x WHERE x.{person} = %s AND x.{on} = c.{pk}"  # noqa: S608
            sql.append(f"EXISTS ({mark})")
            params.append(user.pk)
    return names, sql, params


_SHARED = ("consultation", "author", "entity", "version", "commitment")  # repeated from row to row


def _instances(values: tuple, tables: dict[str, _Table], seen: dict) -> tuple[Contribution, int]:
    """The contribution of a row with its related instances cached as select_related caches them, those
    met in an earlier row (`seen`) shared instead of made again; and where the computed columns start."""
    made, at = {}, 0
    for name, table in tables.items():
        width = len(table.columns)
        shared = (name, values[at]) if name in _SHARED else None
        if shared is not None and shared in seen:
            made[name] = seen[shared]
        else:
            made[name] = table.make(list(values[at : at + width]))
            if shared is not None:
                seen[shared] = made[name]
        at += width
    row, author, response, version = made["contribution"], made["author"], made["response"], made["version"]
    if version is not None:
        Version._meta.get_field("commitment").set_cached_value(version, made["commitment"])
    if response is not None:
        Response._meta.get_field("commitment_version").set_cached_value(response, version)
        Response._meta.get_field("contribution").set_cached_value(response, row)
    Contribution.response.related.set_cached_value(row, response)  # None: `row.response` raises, as usual
    if author is not None:
        User._meta.get_field("entity").set_cached_value(author, made["entity"])
    Contribution._meta.get_field("author").set_cached_value(row, author)
    Contribution._meta.get_field("consultation").set_cached_value(row, made["consultation"])
    return row, at


def _top_level(scope: Scope, what: str) -> tuple[str, list]:
    """SELECT `what` (on alias t) of the scope's top-level contributions, with its parameters."""
    where, params = scope.on("t")
    where += f" AND t.{_q(Contribution, 'parent')} IS NULL"
    return f"SELECT {what} FROM {_table(Contribution)} t WHERE {where}", params  # noqa: S608 (names only)


def contribution_rows(*, scope: Scope, user=None, page: int | None = None) -> list[Contribution]:
    """The contributions of `scope`, oldest first, each with its consultation, its author and their
    organisation, its response (with the version it links to and that version's commitment), and
    `n_supports`; for a signed-in `user`, `i_support` and `i_flagged` too. `page`: only that page's
    top-level contributions and their replies (two levels), each row with `n_top`, the number of top-level
    contributions in the scope. One query."""
    tables = _tables(connection.vendor)
    pk, parent, created = (_q(Contribution, name) for name in ("id", "parent", "created"))
    names, computed, params = _per_row(user)
    where, where_params = scope.on("c")
    before, before_params = "", []
    if page is not None:  # the page's top-level rows, found once (a CTE), then their replies
        in_page, in_page_params = _top_level(scope, f"t.{pk}")
        before = f"WITH page AS ({in_page} ORDER BY t.{created}, t.{pk} LIMIT %s OFFSET %s) "
        before_params = [*in_page_params, PER_PAGE, (page - 1) * PER_PAGE]
        count, count_params = _top_level(scope, "COUNT(*)")
        names.append("n_top")
        computed.append(f"({count})")
        params += count_params
        ids = f"SELECT page.{pk} FROM page"  # noqa: S608 (a column's name)
        where += f" AND (c.{pk} IN ({ids}) OR c.{parent} IN ({ids}) OR p.{parent} IN ({ids}))"
    columns = ", ".join([column for table in tables.values() for column in table.columns] + computed)
    joined = f"{_table(Contribution)} c {_joins()}"
    sql = f"{before}SELECT {columns} FROM {joined} WHERE {where} ORDER BY c.{created}, c.{pk}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*before_params, *params, *where_params])
        fetched = cursor.fetchall()
    rows, seen = [], {}
    for values in fetched:
        row, at = _instances(values, tables, seen)
        for name, value in zip(names, values[at:], strict=True):
            setattr(row, name, bool(value) if name.startswith("i_") else value)
        rows.append(row)
    return rows


def _top_count(scope: Scope) -> int:
    sql, params = _top_level(scope, "COUNT(*)")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def build(scope: Scope, *, user, page: int = 1, own: Commitment | None = None, others=()) -> Thread:
    """A page of the thread of `scope` (contributions on one item, paragraph or document). When a page
    past the end is asked for, the last page is shown instead (one more query, only then)."""
    now = clock.now()
    rows = contribution_rows(scope=scope, user=user, page=page)
    if not rows and page > 1:
        last = max(1, math.ceil(_top_count(scope) / PER_PAGE))
        return build(scope, user=user, page=last, own=own, others=others) if last < page else Thread([], 0, 1)
    make = Entries(user=user, now=now, own=own, others=others)
    entries: dict[int, Entry] = {}
    top: list[Entry] = []
    total = rows[0].n_top if rows else 0
    for row in rows:  # oldest first: a parent comes before its replies
        entry = make(row)
        entries[row.pk] = entry
        parent = entries.get(row.parent_id) if row.parent_id else None
        if parent is not None:
            parent.replies.append(entry)
        elif row.parent_id is None:
            top.append(entry)
    return Thread(entries=top, total=total, page=page)


def commitment_thread(*, commitment: Commitment, ancestors: list[Commitment], user, page: int = 1) -> Thread:
    """Contributions on `commitment` and on the proposals it came from (labelled with their proposal)."""
    scope = Scope.equal(commitment=[commitment.pk, *(a.pk for a in ancestors)])
    return build(scope, user=user, page=page, own=commitment, others=ancestors)


def paragraph_thread(*, paragraph: Paragraph, user, page: int = 1) -> Thread:
    return build(Scope.equal(paragraph=paragraph.pk), user=user, page=page)


def document_thread(*, consultation: Consultation, user, page: int = 1) -> Thread:
    """Contributions on a consulted document as a whole (not on one of its paragraphs)."""
    return build(
        Scope.equal(consultation=consultation.pk, commitment=None, paragraph=None), user=user, page=page
    )


# --- A consultation's window and state, in words ------------------------------------------------
STATE_LABELS = {"open": _("Open"), "upcoming": _("Upcoming"), "closed": _("Closed")}


@dataclass(frozen=True)
class State:
    code: str  # open, upcoming, closed
    label: str


def state(consultation: Consultation, now: datetime.datetime | None = None) -> State:
    now = now or clock.now()
    if consultation.is_open(now):
        code = "open"
    elif now < consultation.opens_at:
        code = "upcoming"
    else:
        code = "closed"
    return State(code, STATE_LABELS[code])


def next_change(consultation: Consultation, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the consultation's state changes next (it opens, or it closes), if it still will."""
    now = now or clock.now()
    if now < consultation.opens_at:
        return consultation.opens_at
    if now < consultation.closes_at:
        return consultation.closes_at
    return None


@dataclass(frozen=True)
class Window:
    opens: str  # "22 de septiembre de 2017"
    closes: str  # the last day
    opens_time: str  # "00:00"
    closes_time: str  # "23:59"
    opens_iso: str
    closes_iso: str


def window(consultation: Consultation) -> Window:
    """First and last day (Lima time, in the active language) and the times of opening and closing; a
    window that closes at midnight closes at 23:59 of its last day, as people read it."""
    days = window_dates(consultation)
    opens = timezone.localtime(consultation.opens_at)
    closes = timezone.localtime(consultation.closes_at)
    closes_time = "23:59" if closes.time() == datetime.time(0, 0) else formats.time_format(closes, "H:i")
    return Window(
        opens=days["opens"],
        closes=days["closes"],
        opens_time=formats.time_format(opens, "H:i"),
        closes_time=closes_time,
        opens_iso=html_datetime(opens),
        closes_iso=html_datetime(closes),
    )


def paragraph_url(paragraph: Paragraph) -> str:
    return reverse(
        "consultations:paragraph", kwargs={"slug": paragraph.consultation.slug, "key": paragraph.key}
    )


# --- The consultation a visitor can take part in -----------------------------------------------------
def consultations_of(commitment: Commitment) -> list[Consultation]:
    """The consultations that include `commitment`, oldest first, each with the commitment's support
    count (one query), as anyone sees them: `i_support_item` and `i_follow_item` False (the visitor's own,
    from `item_marks`)."""
    supports = Support.objects.filter(commitment=commitment)
    queryset = Consultation.objects.filter(items=commitment).annotate(
        item_supports=SubqueryCount(supports.values("pk"))
    )
    found = list(queryset.order_by("opens_at", "pk"))
    for consultation in found:  # the thread's template reads them for everyone
        consultation.i_support_item = consultation.i_follow_item = False
    return found


ITEM_SUPPORT, ITEM_FOLLOW = "item-support", "item-follow"


def item_mark_rows(commitment: Commitment, user) -> list[tuple[str, list]]:
    """The visitor's support of `commitment` (in any of its consultations) and follow of it, as rows
    (0, "item-support") and (0, "item-follow"): SQL and its parameters, to be read in one query with
    others (`mark_rows`): for `item_marks`, and for fragments.thread_page, which reads them in its one
    query of the visitor's marks."""
    parts = []
    for model, kind, only in ((Support, ITEM_SUPPORT, ""), (Follow, ITEM_FOLLOW, "active")):
        meta = model._meta
        person, item = meta.get_field("user").column, meta.get_field("commitment").column
        where = f"{person} = %s AND {item} = %s" + (f" AND {meta.get_field(only).column}" if only else "")
        sql = f"SELECT 0, %s FROM {meta.db_table} WHERE {where}"  # noqa: S608 (the model's names)
        parts.append((sql, [kind, user.pk, commitment.pk]))
    return parts


def mark_rows(parts: list[tuple[str, list]]) -> list[tuple[int, str]]:
    """The rows of each part (SQL selecting a pk and a kind, with its parameters), in one query. Raw SQL:
    the ORM's union of four querysets cost more to build than the database takes to answer it."""
    if not parts:
        return []
    sql = " UNION ALL ".join(each for each, _params in parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, [p for _sql, params in parts for p in params])
        return [(pk, str(kind)) for pk, kind in cursor.fetchall()]


def item_marks(commitment: Commitment, user) -> tuple[bool, bool]:
    """Whether `user` supports `commitment` and follows it: one light query."""
    kinds = {kind for _pk, kind in mark_rows(item_mark_rows(commitment, user))}
    return ITEM_SUPPORT in kinds, ITEM_FOLLOW in kinds


def relevant(consultations: list[Consultation], now: datetime.datetime | None = None) -> Consultation | None:
    """The one to show: open now, else the next to open, else the last that closed."""
    now = now or clock.now()
    if not consultations:
        return None
    for consultation in consultations:
        if consultation.is_open(now):
            return consultation
    upcoming = [c for c in consultations if c.opens_at > now]
    if upcoming:
        return upcoming[0]
    return max(consultations, key=lambda c: c.closes_at)


# --- Where a contribution shows ----------------------------------------------------------------------
def page_of(contribution: Contribution) -> int:
    """The page of its item's thread that shows `contribution` (its top-level ancestor's page)."""
    root = contribution
    while root.parent_id is not None:
        root = Contribution.objects.only("pk", "parent_id", "created").get(pk=root.parent_id)
    if contribution.commitment_id:
        ids = [contribution.commitment_id, *(a.pk for a in ancestors(contribution.commitment))]
        base = Contribution.objects.filter(commitment_id__in=ids)
    elif contribution.paragraph_id:
        base = Contribution.objects.filter(paragraph_id=contribution.paragraph_id)
    else:
        base = Contribution.objects.filter(
            consultation_id=contribution.consultation_id, commitment__isnull=True, paragraph__isnull=True
        )
    before = (
        base.filter(parent__isnull=True)
        .filter(Q(created__lt=root.created) | Q(created=root.created, pk__lt=root.pk))
        .count()
    )
    return before // PER_PAGE + 1
