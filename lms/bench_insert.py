"""Bulk inserts for ``lms bench generate``: PostgreSQL's COPY, executemany elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import insert

from lms.extensions import db

CHUNK = 5_000


def chunks(rows: Iterator[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk(table, rows: Iterator[dict], progress: Callable[[int], None]) -> int:
    """Insert ``rows`` in chunks: PostgreSQL's COPY, elsewhere an executemany per chunk."""
    if db.session.get_bind().dialect.name == "postgresql":
        return _copy(table, rows, progress)
    count = 0
    for batch in chunks(rows):
        db.session.execute(insert(table), batch)
        count += len(batch)
        progress(len(batch))
    return count


def _copy(table, rows: Iterator[dict], progress: Callable[[int], None]) -> int:
    """``COPY ... FROM STDIN`` in the session's transaction: about twice as fast as a
    pipelined executemany. Each value goes through its column's bind processor first (UTC
    datetimes, JSON), as an INSERT would send it; a column missing from a row gets its
    Python-side default (computed once per chunk), else the server's."""
    count = 0
    connection = db.session.connection()
    dialect = connection.dialect
    for batch in chunks(rows):
        names = list(dict.fromkeys(k for row in batch for k in row))
        names += [c.name for c in table.c if c.name not in names and c.default is not None]
        columns = [table.c[n] for n in names]
        # The dialect's own implementation of each type, as an INSERT would use it.
        processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
        defaults = [_default_value(c) for c in columns]
        cols = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
        table_name = dialect.identifier_preparer.format_table(table)
        with (
            connection.connection.dbapi_connection.cursor() as cursor,
            cursor.copy(f"COPY {table_name} ({cols}) FROM STDIN") as copy,
        ):
            for row in batch:
                values = []
                for name, process, default in zip(names, processors, defaults, strict=True):
                    value = row.get(name, default)
                    values.append(process(value) if process and value is not None else value)
                copy.write_row(values)
        count += len(batch)
        progress(len(batch))
    return count


def _default_value(column: Any) -> Any:
    """The Python-side default an INSERT would give ``column`` (``None`` without one)."""
    default = column.default
    if default is None or not (default.is_scalar or default.is_callable):
        return None
    return default.arg if default.is_scalar else default.arg(None)
