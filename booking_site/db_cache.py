"""The cache for CACHE_URL=dbcache://<table>: Django's database cache, made safe for bookings.

For the practice on one server with no Redis. Django's DatabaseCache is kept
as it is for `get`, `set` and `delete` (rows and values written as Django
writes them: the value pickled, then base64), except where it would break
what the site keeps in its cache:

- **Cull.** Above MAX_ENTRIES rows (300) Django's cull deletes a third of
  the table in key order, live rows included: 330 client addresses' rate
  counts deleted a confirmation page that still had a day to live. Here a
  cull deletes expired rows only. A live row goes only when it expires or is
  deleted, so confirmations and the once-only ledger outlive any number of
  rate-limit keys; the table is as large as what is live (rate counts last
  BOOKING_RATE_LIMIT_SECONDS + 60 s).
- **`incr`.** Django's is a `get` then a `set`, two statements that other
  processes' increments fall between (40 at once counted 4 to 10), and its
  `set` gave the count the default timeout. Here it is one transaction that
  locks the row before reading it, and the expiry is left as it was, as
  Redis leaves it.
- **`set_many`.** Django's writes one row at a time, each after counting
  the table: 10,000 keys took 20 s on PostgreSQL. Here the table is counted
  once a call and rows are written a few hundred a statement.
- **`add`.** Django's relies on the table's unique key, so of two adds of a
  new key only one inserts; but over a row that has expired without being
  deleted yet it updates in place, and two adds could then both win. Here
  that expired row is deleted first, so every add ends in an insert.

MAX_ENTRIES (`?max_entries=` in CACHE_URL) is only the number of rows above
which writes sweep out expired ones; CULL_FREQUENCY is not used.
"""

from __future__ import annotations

import base64
import datetime as dt
import pickle
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.timezone import now as tz_now

#: Rows written by one statement of `set_many`: SQLite takes at most 999 parameters.
_ROWS_A_STATEMENT = 300


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache whose cull keeps live rows, with an atomic `incr` and `add`."""

    def _cull(self, db: str, cursor: Any, now: Any, num: int) -> None:
        # Called by Django's `set` and `add` when the table holds more than
        # MAX_ENTRIES rows. CULL_FREQUENCY is ignored: its 0 would clear the
        # whole cache, and any other value deletes live rows.
        self._delete_expired(connections[db], cursor)

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        """Store `value` only if `key` holds nothing live; True if this call stored it."""
        connection = connections[router.db_for_write(self.cache_model_class)]
        with connection.cursor() as cursor:
            self._delete_expired(connection, cursor, self.make_and_validate_key(key, version))
        # Now Django's add inserts, and the unique key lets one insert of many win.
        return super().add(key, value, timeout, version)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        """Add `delta` to the number at `key` atomically; ValueError if it holds nothing live."""
        cache_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db), connection.cursor() as cursor:
            row = self._locked_row(connection, cursor, cache_key)
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = self._decode(connection.ops.process_clob(row[0])) + delta
            update = "UPDATE {table} SET {value} = %s WHERE {key} = %s"
            cursor.execute(self._sql(connection, update), [self._encode(value), cache_key])
        return value

    def decr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        return self.incr(key, -delta, version)

    def set_many(
        self, data: Mapping[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        """Store each value under its key; [] as from Django's.

        A batch that fails (another process wrote one of its keys meanwhile)
        is written again a key at a time, as Django's `set` writes.
        """
        if not data:
            return []
        rows = [(self.make_and_validate_key(key, version=version), data[key]) for key in data]
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(self._sql(connection, "SELECT COUNT(*) FROM {table}"))
            if cursor.fetchone()[0] > self._max_entries:
                self._delete_expired(connection, cursor)
        expires = self._expires(connection, timeout)
        for first in range(0, len(rows), _ROWS_A_STATEMENT):
            batch = rows[first : first + _ROWS_A_STATEMENT]
            try:
                with transaction.atomic(using=db), connection.cursor() as cursor:
                    self._replace(connection, cursor, batch, expires)
            except DatabaseError:
                for cache_key, value in batch:
                    self._base_set("set", cache_key, value, timeout)
        return []

    def _replace(
        self,
        connection: BaseDatabaseWrapper,
        cursor: Any,
        rows: list[tuple[str, Any]],
        expires: Any,
    ) -> None:
        """Write `rows` (key, value) over whatever those keys held: two statements in all."""
        keys = ", ".join(["%s"] * len(rows))
        delete = "DELETE FROM {table} WHERE {key} IN ({keys})"
        cursor.execute(self._sql(connection, delete, keys=keys), [key for key, _ in rows])
        insert = "INSERT INTO {table} ({key}, {value}, {expires}) VALUES {rows}"
        params = [part for key, value in rows for part in (key, self._encode(value), expires)]
        cursor.execute(
            self._sql(connection, insert, rows=", ".join(["(%s, %s, %s)"] * len(rows))), params
        )

    def _locked_row(
        self, connection: BaseDatabaseWrapper, cursor: Any, cache_key: str
    ) -> tuple[Any, ...] | None:
        """The live row's value, locked until the transaction ends, so no one writes between."""
        if connection.features.has_select_for_update:  # PostgreSQL, MySQL: the row's lock
            lock = " " + connection.ops.for_update_sql()
        else:
            # SQLite has no row locks, and a transaction that reads first
            # cannot always write after (another writer may have committed
            # since its read: "database is locked" at once, whatever the
            # timeout). A write first, even one that changes nothing, takes
            # the database's one write lock, waiting for it if need be, and
            # keeps it to the end of the transaction: writers queue.
            take_lock = "UPDATE {table} SET {expires} = {expires} WHERE {key} = %s"
            cursor.execute(self._sql(connection, take_lock), [cache_key])
            lock = ""
        live = "SELECT {value} FROM {table} WHERE {key} = %s AND {expires} >= %s"
        cursor.execute(self._sql(connection, live) + lock, [cache_key, self._now(connection)])
        return cursor.fetchone()

    def _delete_expired(
        self, connection: BaseDatabaseWrapper, cursor: Any, cache_key: str | None = None
    ) -> None:
        """Delete expired rows: every one, or `cache_key`'s only."""
        sql, params = "DELETE FROM {table} WHERE {expires} < %s", [self._now(connection)]
        if cache_key is not None:
            sql, params = sql + " AND {key} = %s", [*params, cache_key]
        cursor.execute(self._sql(connection, sql), params)

    def _sql(self, connection: BaseDatabaseWrapper, template: str, **placeholders: str) -> str:
        """`template` with the table's and its columns' names quoted for this database.

        `placeholders` are lists of %s only: keys and values are always parameters.
        """
        quote = connection.ops.quote_name
        return template.format(
            table=quote(self._table),
            key=quote("cache_key"),
            value=quote("value"),
            expires=quote("expires"),
            **placeholders,
        )

    def _encode(self, value: Any) -> str:
        # As Django's set writes it: pickled, then base64 in a text column.
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")

    @staticmethod
    def _decode(text: str) -> Any:
        return pickle.loads(base64.b64decode(text.encode()))  # noqa: S301 (our own rows)

    def _expires(self, connection: BaseDatabaseWrapper, timeout: Any) -> Any:
        """When a row written now with `timeout` expires, as Django's set works it out."""
        moment = self.get_backend_timeout(timeout)  # seconds since 1970, or None: never
        if moment is None:
            expires = dt.datetime.max
        else:
            expires = dt.datetime.fromtimestamp(moment, tz=dt.UTC if settings.USE_TZ else None)
        return connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))

    @staticmethod
    def _now(connection: BaseDatabaseWrapper) -> Any:
        # Expired is `expires` before now, as Django's `get` decides it.
        return connection.ops.adapt_datetimefield_value(tz_now())
