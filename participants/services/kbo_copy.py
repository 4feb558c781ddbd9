"""The full KBO extract on PostgreSQL: loaded with COPY and merged with set-based SQL.

The four files are streamed in chunks into staging tables (``COPY ... FROM STDIN``, UNLOGGED tables of text
columns numbered by the file's header, each line keeping its line number), so the process holds a chunk at a
time whatever the size of the extract. They are loaded over two connections at once, so that PostgreSQL
parses on both cores, activity.csv (three quarters of the lines) in stretches. Of the three side files COPY
keeps only the lines the reduction reads (``_KEPT``): PostgreSQL still parses every line, but scans a
quarter of them afterwards. Each file is then reduced on those connections, two at once, to a table with a
row per enterprise (of enterprise.csv, per line), making exactly the choices ``participants.kbo_extract``
makes while it merges the sorted files (its preference constants are passed in): the legal name by
language preference, the first Belgian registered office not struck off, the main activity by NACE
version, then activity group. Establishment units and branches share the side files; their numbers never
equal an enterprise's, so they drop out. A loading connection then joins the four reductions and the
companies already there into one table indexed by the line; when the import's transaction has written
anything before, which those connections cannot see, the import's own connection joins them instead.

Those rows are read through a server-side cursor and judged one by one by the import's own rules
(``kbo_import._company_values``, ``_merged``): the rules for accepting an enterprise keep one home, in
Python, and the SQL only gathers. The new companies go straight into the companies table by COPY, each row
as soon as it is judged, so PostgreSQL stores (and indexes) one while Python judges the next, with pks taken
from the table's sequence beforehand; their history rows are copied from them per chunk, by PostgreSQL.
The changed companies are copied into a second staging table and updated with one UPDATE ... FROM that
writes their history rows, with the same change reason as the streaming path. The batches of an update
(small files, still streamed) are written the same way (``write_companies``): Django's bulk_update builds a
CASE per field and row, which made a 1% update cost a fifth of a full import.

Since everything is loaded before anything is judged, the order of the lines does not matter here: a
file need not be sorted. Of an enterprise number on more than one line of enterprise.csv (the streaming
path refuses that file as unsorted) the first line counts. The caller runs the rest in one transaction:
a file COPY cannot read stops the import before it, with nothing changed.
"""

import functools
import operator
import re
import secrets
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.db import connection
from django.utils.translation import gettext as _
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from participants.kbo_extract import (
    _ACTIVITY_GROUP_PREFERENCE,
    _COLUMNS,
    _ENTERPRISE_NUMBER,
    _LEGAL_NAME,
    _MAIN_ACTIVITY,
    _NACE_VERSION_PREFERENCE,
    _NAME_LANGUAGE_PREFERENCE,
    _REGISTERED_OFFICE,
    ACTIVITY_FILE,
    ADDRESS_FILE,
    DENOMINATION_FILE,
    ENTERPRISE_FILE,
    FILES,
    KboEnterprise,
    KboExtractError,
    read_columns,
)
from participants.models import Company

COPY_CHUNK_BYTES = 1 << 20
ROWS_PER_FETCH = 5000
_PK = len(KboEnterprise._fields) - 1  # the pk's column: a reduced line has every field but the last, removed
# The staging tables' names start so, then the pid of the import's connection (see load_staging).
_STAGING_PREFIX = "kbo_staging_"
# The connections that load the files at once: as many as the cores of the machine the project runs on.
LANES = 2
# The files whose lines' order the reduction ignores (a main activity is chosen by its values alone), loaded
# in stretches of about PART_BYTES at once, and the others whole; activity.csv is most of an extract. Its
# values are codes: a line break within quotes, cut at a stretch's end, would stop the import with an error.
_IN_PARTS = {ACTIVITY_FILE}
PART_BYTES = 128 << 20
_ACCEPTED = "kbo_staging_accepted"
# The columns the reduction reads; the staging tables hold every column of the file, as c0, c1, ...
_READ = {name: columns for name, columns in _COLUMNS.items() if name in FILES}
# Of the side files, the lines the reduction reads: an enterprise's (not an establishment unit's: its number
# is a range of the column) legal name in a known language, registered office not struck off in Belgium,
# main activity in a known NACE version. COPY stores only those (a quarter of the lines of a national
# extract: 30 million of its 36 million activities are not main ones); of enterprise.csv every line counts.
# The names in braces are columns, the values literals, since COPY takes no parameters.
_KEPT = {
    DENOMINATION_FILE: (
        "{TypeOfDenomination} = {legal_name} AND coalesce({Language}, '') = ANY({languages}::text[])"
    ),
    ADDRESS_FILE: "{TypeOfAddress} = {office} AND coalesce({DateStrikingOff}, '') = ''"
    " AND coalesce({CountryNL}, '') = ''",
    ACTIVITY_FILE: "{Classification} = {main} AND {NaceVersion} = ANY({versions}::text[])",
}
_ENTERPRISES_ONLY = "{EntityNumber} >= '0' AND {EntityNumber} < '2'"
_KEPT_VALUES = {
    "legal_name": _LEGAL_NAME,
    "languages": list(_NAME_LANGUAGE_PREFERENCE),
    "office": _REGISTERED_OFFICE,
    "main": _MAIN_ACTIVITY,
    "versions": list(_NACE_VERSION_PREFERENCE),
}

# Per file, the query that reduces its staging table ``{table}`` to what the import reads of it: of
# enterprise.csv its lines, but of an enterprise number on several lines the first; of each side file a row
# per enterprise. They read nothing but their own table, so each runs on a lane once its file is loaded, the
# lanes at once (_reduce). The names in braces are the file's columns, and the values as in _KEPT.
_REDUCTIONS = {
    ENTERPRISE_FILE: """
WITH enterprise AS (
    SELECT line, coalesce({EnterpriseNumber}, '') AS number, coalesce({Status}, '') AS status,
        coalesce({TypeOfEnterprise}, '') AS kind,
        coalesce(nullif({JuridicalFormCAC}, ''), {JuridicalForm}, '') AS juridical_form,
        coalesce({StartDate}, '') AS start_date,
        coalesce({EnterpriseNumber}, '') ~ {pattern} AS printed
    FROM {table}
)
(SELECT DISTINCT ON (number) * FROM enterprise WHERE printed ORDER BY number, line)
UNION ALL
SELECT * FROM enterprise WHERE NOT printed
""",
    # Of several legal names in one language the last line counts, as in the streaming reader. Sorted by
    # the languages' preference, so the best one per enterprise follows without sorting again.
    DENOMINATION_FILE: """
SELECT DISTINCT ON (number) number, denomination AS name
FROM (
    SELECT DISTINCT ON (number, preference) number, preference, denomination
    FROM (
        SELECT {EntityNumber} AS number,
            array_position({languages}::text[], coalesce({Language}, '')) AS preference,
            coalesce({Denomination}, '') AS denomination, line
        FROM {table}
    ) legal
    ORDER BY number, preference, line DESC
) names
WHERE denomination <> ''
ORDER BY number, preference
""",
    ADDRESS_FILE: """
SELECT DISTINCT ON ({EntityNumber}) {EntityNumber} AS number, coalesce({Zipcode}, '') AS postal_code,
    coalesce(nullif({MunicipalityNL}, ''), {MunicipalityFR}, '') AS municipality
FROM {table}
ORDER BY {EntityNumber}, line
""",
    # The main activity's preference as one array per line, compared element by element: the least per
    # enterprise is found by hashing the enterprises rather than by sorting all their main activities.
    ACTIVITY_FILE: """
SELECT number, best[4] AS code, ({versions}::text[])[best[1]::int] AS version
FROM (
    SELECT {EntityNumber} AS number, min(ARRAY[
        lpad(array_position({versions}::text[], {NaceVersion})::text, 2, '0'),
        lpad(coalesce(array_position({groups}::text[], coalesce({ActivityGroup}, '')), 99)::text, 2, '0'),
        coalesce({ActivityGroup}, ''), coalesce({NaceCode}, '')
    ] COLLATE "C") AS best
    FROM {table}
    GROUP BY {EntityNumber}
) preferred
""",
}
_REDUCTION_VALUES = _KEPT_VALUES | {
    "pattern": f"^(?:{_ENTERPRISE_NUMBER.pattern})$",
    "groups": list(_ACTIVITY_GROUP_PREFERENCE),
}

# The reductions joined, with the line of enterprise.csv: KboEnterprise's fields in their order, then the pk
# of the company already there and its current values ({current}: ``company.<column> AS company_<column>``).
_JOINED = """
SELECT e.line, e.number, e.status, e.kind, e.juridical_form, e.start_date, coalesce(n.name, '') AS name,
    coalesce(o.postal_code, '') AS postal_code, coalesce(o.municipality, '') AS municipality,
    coalesce(m.code, '') AS nace_code, coalesce(m.version, '') AS nace_version,
    company.id AS company_id{current}
FROM {enterprise} e
LEFT JOIN {denomination} n ON e.printed AND n.number = e.number
LEFT JOIN {address} o ON e.printed AND o.number = e.number
LEFT JOIN {activity} m ON e.printed AND m.number = e.number
LEFT JOIN {company} company ON e.printed AND company.kbo_number = replace(e.number, '.', '') COLLATE "C"
"""


@dataclass(frozen=True)
class Staging:
    """The staging tables of one import: per file the table it is loaded into and the table of its
    reduction (``_REDUCTIONS``); the reductions joined with the companies (``_JOINED``) when the loading
    connections could join them, else None; and the companies' ``current_fields`` read."""

    tables: dict[str, str]
    reduced: dict[str, str]
    joined: str | None
    current_fields: list[str]

    def all_tables(self) -> list[str]:
        return [*self.tables.values(), *self.reduced.values(), *filter(None, [self.joined])]

    def joined_query(self) -> str:
        """Return ``_JOINED`` of these reductions and the companies."""
        return _JOINED.format(
            **{name.removesuffix(".csv"): table for name, table in self.reduced.items()},
            company=Company._meta.db_table,
            current="".join(f", company.{column} AS company_{column}" for column in self._current_columns()),
        )

    def columns_read(self) -> str:
        """Return the columns of ``_JOINED`` the import reads, in their order: all but the line."""
        return ", ".join(
            [
                "number, status, kind, juridical_form, start_date, name, postal_code, municipality",
                "nace_code, nace_version, company_id",
                *(f"company_{column}" for column in self._current_columns()),
            ]
        )

    def _current_columns(self) -> list[str]:
        return [Company._meta.get_field(name).column for name in self.current_fields]


@dataclass(frozen=True)
class _Part:
    """A stretch of one file for one COPY: from byte ``start``, a line's first, to byte ``end``."""

    file_name: str
    start: int
    end: int

    @property
    def size(self) -> int:
        return self.end - self.start


def load_staging(directory: Path, current_fields: list[str]) -> Staging:
    """COPY the four files of the extract in ``directory`` into staging tables of their own and reduce each
    (``_REDUCTIONS``), over :data:`LANES` connections at once, then join the reductions with the companies
    (``_JOINED``, their ``current_fields``), and return the tables. Of the side files only the lines the
    reduction reads are stored.

    The join is made on a loading connection too, unless the caller's transaction has written anything
    already: those connections could not see it. Otherwise they see what the import's connection sees,
    but for a company another connection commits meanwhile, which the import would then refuse to create a
    second time (the number is unique), as it always would if it committed during the import.

    The tables are UNLOGGED rather than TEMP, since a TEMP table is seen by its own connection only: the
    other connections commit them as they load them, and :func:`drop_staging` drops them. Their names carry
    the pid of the import's connection: the tables of an import whose connection is gone (a killed process)
    are dropped by the next.

    KboExtractError when a file is missing, lacks a column, or COPY cannot read it (not UTF-8 CSV, a line
    with more or fewer values than the header); nothing is left behind then, nor when anything else fails.
    """
    headers = {file_name: read_columns(directory, file_name) for file_name in FILES}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
        # Whether this transaction has written anything yet (a transaction id is given at the first write),
        # which no other connection would see. Asked before the tables of a gone import are dropped.
        cursor.execute("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")
        (written,) = cursor.fetchone()
        _drop_left_behind(cursor)
    names = f"{_STAGING_PREFIX}{pid}_{secrets.token_hex(4)}_"
    staging = Staging(
        tables={file_name: names + file_name.removesuffix(".csv") for file_name in FILES},
        reduced={file_name: names + "reduced_" + file_name.removesuffix(".csv") for file_name in FILES},
        joined=None if written else names + "joined",
        current_fields=current_fields,
    )
    columns = {
        file_name: {column: sql.Identifier(f"c{header.index(column)}") for column in _READ[file_name]}
        for file_name, header in headers.items()
    }
    problems: dict[str, str] = {}

    def load(cursor, part: _Part) -> None:
        try:
            _copy(cursor, directory, part, staging.tables[part.file_name], headers[part.file_name])
        except psycopg.Error as error:
            problems.setdefault(part.file_name, _problem(error, directory, part))

    parts = sorted(_parts(directory), key=lambda part: part.size, reverse=True)
    reduce = functools.partial(_reduce, staging, columns)
    # The largest first: activity.csv holds most of an extract's lines.
    reductions = sorted(FILES, key=lambda file_name: file_name != ACTIVITY_FILE)
    with ExitStack() as opened:
        # Each closed when the block ends, however it ends (one that failed to open included).
        lanes = [
            opened.enter_context(psycopg.connect(**connection.get_connection_params(), autocommit=True))
            for _lane in range(LANES)
        ]
        for lane in lanes:
            # An extract's 1.9 million enterprises are sorted and hashed in memory rather than in passes
            # on disk: the server's memory, for these connections only.
            lane.execute("SET work_mem = '512MB'")
        with lanes[0].cursor() as cursor:
            for file_name, table in staging.tables.items():
                cursor.execute(_create_table(table, len(headers[file_name]), temporary=False))
        try:
            _on_lanes(lanes, [(load, part) for part in parts], stop=problems)
            if not problems:
                _on_lanes(lanes, [(reduce, file_name) for file_name in reductions])
                if staging.joined:
                    with lanes[0].cursor() as cursor:
                        _join(cursor, staging)
        except BaseException:
            _drop(lanes[0], staging)
            raise
        if problems:
            _drop(lanes[0], staging)
    for file_name in FILES:
        if file_name in problems:
            raise KboExtractError(
                _(
                    "%(file)s cannot be loaded as CSV text in UTF-8 with the columns of its header: "
                    "%(problem)s"
                )
                % {"file": file_name, "problem": problems[file_name]}
            )
    return staging


def _on_lanes(lanes: list[psycopg.Connection], tasks: list[tuple], *, stop: dict | None = None) -> None:
    """Run the ``tasks``, each a function and its argument, called with a cursor of a lane, on the ``lanes``
    at once: each lane takes the next task as soon as it is free, and none once ``stop`` holds anything."""
    queue = iter(tasks)
    taking = threading.Lock()

    def run(lane: psycopg.Connection) -> None:
        while True:
            with taking:
                task = None if stop else next(queue, None)
            if task is None:
                return
            function, argument = task
            with lane.cursor() as cursor:
                function(cursor, argument)

    with ThreadPoolExecutor(len(lanes)) as pool:
        list(pool.map(run, lanes))


def _reduce(staging: Staging, columns: dict[str, dict], cursor, file_name: str) -> None:
    """Create the table of the reduction of ``file_name``'s staging table (``_REDUCTIONS``)."""
    table, reduced = staging.tables[file_name], staging.reduced[file_name]
    query = sql.SQL(_REDUCTIONS[file_name]).format(
        table=sql.Identifier(table),
        **columns[file_name],
        **{name: sql.Literal(value) for name, value in _REDUCTION_VALUES.items()},
    )
    # The planner needs the freshly loaded table's size to reduce it well.
    cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
    _create_analyzed(cursor, reduced, query)


def _join(cursor, staging: Staging) -> None:
    """Create the table of the reductions joined with the companies, indexed by the line: the import reads
    it in the order of the lines without sorting it."""
    index = sql.SQL("CREATE INDEX ON {} (line)").format(sql.Identifier(staging.joined))
    _create_analyzed(cursor, staging.joined, sql.SQL(staging.joined_query()), then=index)


def _create_analyzed(
    cursor, table: str, query: sql.Composable, *, then: sql.Composable | None = None
) -> None:
    """Create the UNLOGGED ``table`` of what ``query`` returns, run ``then`` on it, and analyze it: the next
    query joins or reads it."""
    create = sql.SQL("CREATE UNLOGGED TABLE {} WITH (autovacuum_enabled = false) AS ").format(
        sql.Identifier(table)
    )
    cursor.execute(create + query)
    if then is not None:
        cursor.execute(then)
    cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))


def _drop(lane: psycopg.Connection, staging: Staging) -> None:
    with lane.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(staging.all_tables())}")


def copy_alone(directory: Path) -> None:
    """COPY every line of the four files of the extract in ``directory`` into TEMP staging tables, one file
    after the other on the caller's connection and in its transaction: the benchmark's yardstick."""
    with connection.cursor() as cursor:
        for file_name in FILES:
            header = read_columns(directory, file_name)
            table = "kbo_copy_alone_" + file_name.removesuffix(".csv")
            cursor.execute(_create_table(table, len(header), temporary=True))
            part = _Part(file_name, 0, (directory / file_name).stat().st_size)
            _copy(cursor, directory, part, table, header, every_line=True)


def _create_table(table: str, columns: int, *, temporary: bool) -> str:
    """Return the CREATE TABLE of a staging table of ``columns`` text columns c0, c1, ... and the line: a
    ``temporary`` one is dropped when its transaction ends, the other is UNLOGGED."""
    # Text compared byte by byte (COLLATE "C"): the reduction sorts millions of numbers, which under the
    # database's own collation cost a call of the C library's strcoll per comparison.
    # Autovacuum stays away from the UNLOGGED ones: the import analyzes them itself, once they are loaded.
    return (
        f"CREATE {'TEMP' if temporary else 'UNLOGGED'} TABLE {table} "
        + "(line bigint GENERATED ALWAYS AS IDENTITY, "
        + ", ".join(f'c{index} text COLLATE "C"' for index in range(columns))
        + (") ON COMMIT DROP" if temporary else ") WITH (autovacuum_enabled = false)")
    )


def _parts(directory: Path) -> Iterator[_Part]:
    """Yield the stretches of the files that can be loaded at once: a whole file, but those of
    :data:`_IN_PARTS` in stretches of about :data:`PART_BYTES`, each starting at a line's start."""
    for file_name in FILES:
        path = directory / file_name
        size = path.stat().st_size
        if file_name not in _IN_PARTS or size <= PART_BYTES:
            yield _Part(file_name, 0, size)
            continue
        starts = [0]
        with path.open("rb") as file:
            for near in range(PART_BYTES, size, PART_BYTES):
                file.seek(max(near, starts[-1]))
                file.readline()  # to the start of the next line
                if file.tell() < size:
                    starts.append(file.tell())
        yield from (
            _Part(file_name, start, end) for start, end in zip(starts, [*starts[1:], size], strict=True)
        )


def _copy(
    cursor, directory: Path, part: _Part, table: str, header: list[str], *, every_line: bool = False
) -> None:
    """COPY ``part`` into ``table``: of a side file only the lines the reduction reads, unless
    ``every_line``."""
    numbered = [f"c{index}" for index in range(len(header))]
    # The header is the first line of the file, not of a later part.
    copy_sql = sql.SQL(
        f"COPY {table} ({', '.join(numbered)}) FROM STDIN "
        f"(FORMAT csv, HEADER {str(part.start == 0).lower()}, ENCODING 'UTF8')"
    )
    if part.file_name in _KEPT and not every_line:
        copy_sql += sql.SQL(f" WHERE {_KEPT[part.file_name]} AND {_ENTERPRISES_ONLY}").format(
            **{column: sql.Identifier(f"c{header.index(column)}") for column in _READ[part.file_name]},
            **{name: sql.Literal(value) for name, value in _KEPT_VALUES.items()},
        )
    with (directory / part.file_name).open("rb") as file, cursor.copy(copy_sql) as copy:
        file.seek(part.start)
        left = part.size
        while chunk := file.read(min(COPY_CHUNK_BYTES, left)):
            # PostgreSQL cannot hold a NUL, which the streaming path reads and then skips its enterprise
            # for; another control character gets it the same skip reason.
            copy.write(chunk.replace(b"\x00", b"\x01"))
            left -= len(chunk)


def _drop_left_behind(cursor) -> None:
    """Drop the staging tables of imports whose connection is gone, and this connection's own (an import
    that failed in an outer transaction which is still open)."""
    cursor.execute(
        "SELECT string_agg(quote_ident(relname), ', ') FROM pg_class "
        "WHERE relkind = 'r' AND relpersistence = 'u' AND relname LIKE %s "
        "AND substring(relname FROM %s)::int NOT IN ("
        "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid())",
        [_STAGING_PREFIX.replace("_", r"\_") + "%", f"^{_STAGING_PREFIX}([0-9]+)_"],
    )
    (tables,) = cursor.fetchone()
    if tables:
        cursor.execute(f"DROP TABLE IF EXISTS {tables}")


def _problem(error: psycopg.Error, directory: Path, part: _Part) -> str:
    """Return PostgreSQL's own words for what it could not read, with the line of the file where it says
    so: PostgreSQL counts the lines of the part."""
    message = error.diag.message_primary or str(error)
    line = re.search(r", line (\d+)", error.diag.context or "")
    if not line:
        return message
    before = 0
    with (directory / part.file_name).open("rb") as file:
        while file.tell() < part.start:
            before += file.read(min(COPY_CHUNK_BYTES, part.start - file.tell())).count(b"\n")
    return _("%(problem)s (line %(line)d)") % {"problem": message, "line": before + int(line[1])}


def reduced_enterprises(staging: Staging) -> Iterator[list[tuple[KboEnterprise, int | None, dict | None]]]:
    """Yield the staged extract in chunks, an enterprise per line of enterprise.csv, in the order of its
    lines, read through a server-side cursor; each with the pk of its company and the company's
    ``current_fields`` (those of ``staging``) by name, None when there is none: an unchanged company needs
    no Company built."""
    joined = staging.joined or f"({staging.joined_query()}) joined"
    query = f"SELECT {staging.columns_read()} FROM {joined} ORDER BY line"
    if not staging.joined:
        with connection.cursor() as cursor:
            # Joined here, the reduced lines are sorted, and the enterprises hashed, in memory rather than
            # in passes on disk.
            cursor.execute("SET LOCAL work_mem = '512MB'")
    with connection.chunked_cursor() as cursor:
        cursor.execute(query)
        while rows := cursor.fetchmany(ROWS_PER_FETCH):
            yield [
                (
                    KboEnterprise(*row[:_PK]),
                    row[_PK],
                    None
                    if row[_PK] is None
                    else dict(zip(staging.current_fields, row[_PK + 1 :], strict=True)),
                )
                for row in rows
            ]


def _history_columns() -> list[str]:
    """Return the columns of a company's history row: the company's, then who changed it, when and how."""
    columns = [field.column for field in Company._meta.concrete_fields]
    return [*columns, "history_date", "history_change_reason", "history_type", "history_user_id"]


def insert_companies(rows: Iterable[dict], room: int, reason: str, now) -> int:
    """COPY the new companies ``rows`` (every field by attribute name, the pk left out) straight into the
    companies table, in the caller's transaction, then write their history rows; return how many there
    were. ``rows`` yields at most ``room`` companies.

    ``rows`` may be a generator judging enterprises as COPY takes them: PostgreSQL stores and indexes one
    company while the next is judged, rather than waiting for a whole batch.
    """
    if not room:
        # Read through all the same: judging a chunk counts its skipped and changed enterprises.
        for _row in rows:
            raise ValueError("more new companies than the room given")
        return 0
    table = Company._meta.db_table
    history = Company.history.model._meta.db_table
    # The fields hold Python values psycopg adapts itself (text, numbers, dates, aware datetimes): going
    # through each field's get_db_prep_save would cost more than the rest of the import.
    values = operator.itemgetter(
        *(field.attname for field in Company._meta.concrete_fields if not field.primary_key)
    )
    columns = [field.column for field in Company._meta.concrete_fields]  # the pk first
    written = []
    with connection.cursor() as cursor:
        # The pks are taken from the table's sequence beforehand (``room`` of them; those of enterprises
        # judged skipped stay unused, as a rolled-back insert's would), so that the history rows can be
        # found by them rather than by the companies' numbers.
        # The sequence is looked up first: pg_get_serial_sequence per pk cost ten times nextval itself.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, room])
        pks = iter([pk for (pk,) in cursor.fetchall()])
        with _binary_copy(cursor, table, columns) as copy:
            for row in rows:
                written.append(next(pks))
                copy.write_row((written[-1], *values(row)))
        if written:
            # Copied from the rows just stored, by PostgreSQL: formatting each company a second time for
            # a COPY of its history row kept Python, the slower side of the import, busy for longer. The
            # range lets PostgreSQL read them by the pk's index.
            cursor.execute(
                f"INSERT INTO {history} ({', '.join(_history_columns())}) "
                f"SELECT {', '.join(columns)}, %s, %s, '+', NULL FROM {table} "
                "WHERE id BETWEEN %s AND %s AND id = ANY(%s)",
                [now, reason, min(written), max(written), written],
            )
    return len(written)


@contextmanager
def _binary_copy(cursor, table: str, columns: list[str]) -> Iterator[psycopg.Copy]:
    """Open a binary COPY of ``columns`` into ``table``: PostgreSQL then takes each timestamp and date as a
    number rather than parsing its text."""
    cursor.execute(
        "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attname = ANY(%s)",
        [table, columns],
    )
    types = dict(cursor.fetchall())
    # A thread of psycopg's sends the rows, so that Python formats the next ones meanwhile rather than
    # waiting for the socket while PostgreSQL stores them.
    writer = QueuedLibpqWriter(cursor.cursor)
    copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    with cursor.copy(copy_sql, writer=writer) as copy:
        copy.set_types([types[column] for column in columns])
        yield copy


def create_accepted_table(updated_fields: list[str]) -> None:
    """Create the staging table of the changed companies: their pk and ``updated_fields``."""
    columns = ", ".join(_staged_columns(updated_fields))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_ACCEPTED}")
        cursor.execute(
            f"CREATE TEMP TABLE {_ACCEPTED} ON COMMIT DROP AS "
            f"SELECT {columns} FROM {Company._meta.db_table} WITH NO DATA"
        )


def _staged_columns(updated_fields: list[str]) -> list[str]:
    return ["id", *(Company._meta.get_field(name).column for name in updated_fields)]


def company_row(company: Company) -> dict:
    """Return the fields of ``company`` by attribute name, as ``insert_companies`` and ``copy_accepted``
    take them."""
    return {field.attname: getattr(company, field.attname) for field in Company._meta.concrete_fields}


def copy_accepted(rows: list[dict], updated_fields: list[str]) -> None:
    """COPY the changed companies, their fields by attribute name, into the staging table of the changed
    companies."""
    if not rows:
        return
    attnames = ["id", *(Company._meta.get_field(name).attname for name in updated_fields)]
    copy_sql = f"COPY {_ACCEPTED} ({', '.join(_staged_columns(updated_fields))}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for row in rows:
            copy.write_row([row[attname] for attname in attnames])


def update_accepted(updated_fields: list[str], reason: str, now) -> None:
    """Update the changed companies from their staging table and write a history row of each."""
    table = Company._meta.db_table
    history = Company.history.model._meta.db_table
    updated = [Company._meta.get_field(name).column for name in updated_fields]
    returned = ", ".join(field.column for field in Company._meta.concrete_fields)
    with connection.cursor() as cursor:
        # The history rows are those the UPDATE returns, not read back from the companies.
        cursor.execute(
            f"WITH updated AS (UPDATE {table} AS company SET "
            + ", ".join(f"{column} = accepted.{column}" for column in updated)
            + f" FROM {_ACCEPTED} AS accepted WHERE accepted.id = company.id RETURNING company.*) "
            + f"INSERT INTO {history} ({', '.join(_history_columns())}) "
            + f"SELECT {returned}, %s, %s, '~', NULL FROM updated",
            [now, reason],
        )


def write_companies(companies: list[Company], updated_fields: list[str], reason: str, now) -> None:
    """Write the new (without pk) and changed companies with their history rows, in the caller's
    transaction: the new ones by ``insert_companies``, the changed ones through the staging table, cheaper
    than Django's bulk_update, which builds a CASE per field and row."""
    new = [company for company in companies if company.pk is None]
    for company in new:
        company.created_at = company.updated_at = now
    insert_companies([company_row(company) for company in new], len(new), reason, now)
    changed = [company_row(company) for company in companies if company.pk is not None]
    if not changed:
        return
    create_accepted_table(updated_fields)
    copy_accepted(changed, updated_fields)
    update_accepted(updated_fields, reason, now)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {_ACCEPTED}")


def analyze_companies() -> None:
    """Refresh the planner's statistics of the companies and their history after a full import wrote them.

    Autovacuum would, a minute or so later; until then the planner takes a freshly filled table for an empty
    one, and an update right after the import read its companies by a sequential scan per batch.
    """
    history = Company.history.model
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Company._meta.db_table}, {history._meta.db_table}")


def drop_staging(staging: Staging) -> None:
    """Drop the staging tables of ``staging`` and of the changed companies."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join([*staging.all_tables(), _ACCEPTED])}")
