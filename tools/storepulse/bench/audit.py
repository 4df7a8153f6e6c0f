"""Benchmark: write throughput of 10,000-row statements with and without the row-change audit.

Three identical tables in a scratch schema `bench` (shop_id first in the primary key, a
foreign key to app.shop, like every operator-facing table): plain, audited (with
private.enable_row_audit), and floor, whose statement triggers only have Postgres capture
the transition tables and do nothing; the floor column is what any transition-table audit
costs at least (a delete only marks rows, so its floor is about 1.4x). Each round inserts
ROWS rows in one statement, updates them all (one column) in one statement, and deletes
them in one statement, on each table in turn, committing each statement; the order of the
tables reverses between rounds.
Times are the server's (clock_timestamp around the statement), medians over the rounds.

    python -m storepulse.bench.audit [--database URL] [--rows 10000] [--rounds 7]

Without --database it starts a throwaway server (as the tests do) and removes it after.
The goal (issue 3): with the audit at most 1.3 times slower. Measured on the 2-core
development VM with --rounds 9 (per-table stores, audit.row_change__*): insert 1.14x,
update 1.75x, delete 3.43x (floor 1.39x), all three 1.45x; before them (jsonb rows per
changed row) 2.17x, 5.01x, 18.4x and 3.87x.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import uuid
from collections.abc import Sequence

import psycopg

from storepulse.db import one

OPS = ("insert", "update", "delete")
TABLES = ("plain", "audited", "floor")
# The bench's scratch tables and their audit store go, recorded changes and all (they are
# the benchmark's own), so it can run again on the same database.
CLEANUP = """
do $$
begin
    if to_regclass('audit.row_change__bench__audited') is not null then
        drop view audit.row_changes;
        drop table audit.row_change__bench__audited;
        perform private.refresh_row_changes_view();
    end if;
end
$$;
drop schema if exists bench cascade;
"""
SETUP = """
create schema bench;
create table bench.plain (
    shop_id uuid not null references app.shop (shop_id),
    sku text not null,
    title text not null,
    stock integer not null,
    price numeric(12, 2) not null,
    updated_at timestamptz not null default now(),
    primary key (shop_id, sku)
);
create table bench.audited (like bench.plain including all);
alter table bench.audited add foreign key (shop_id) references app.shop (shop_id);
select private.enable_row_audit('bench.audited');
create table bench.floor (like bench.plain including all);
alter table bench.floor add foreign key (shop_id) references app.shop (shop_id);
create function bench.capture_only() returns trigger language plpgsql
    as $$ begin return null; end $$;
create trigger capture_insert after insert on bench.floor referencing new table as changed_rows
    for each statement execute function bench.capture_only();
create trigger capture_update after update on bench.floor referencing old table as old_rows
    new table as new_rows for each statement execute function bench.capture_only();
create trigger capture_delete after delete on bench.floor referencing old table as changed_rows
    for each statement execute function bench.capture_only();
"""
STATEMENTS = {
    "insert": "insert into {t} (shop_id, sku, title, stock, price) "
              "select %(shop)s, 'SKU-' || g, 'Product ' || g, g %% 100, g * 1.5 "
              "from generate_series(1, %(rows)s) as g",
    "update": "update {t} set stock = stock + 1",
    "delete": "delete from {t}",
}


def _timed(conn: psycopg.Connection, statement: str, params: dict[str, object]) -> float:
    """Seconds the server spent on one committed statement."""
    with conn.transaction():
        start: dt.datetime = one(conn.execute("select clock_timestamp()"))[0]
        cur = conn.execute(statement, params)
        if cur.rowcount != params["rows"]:  # every statement touches all the rows
            raise AssertionError((statement, cur.rowcount))
        end: dt.datetime = one(conn.execute("select clock_timestamp()"))[0]
    return (end - start).total_seconds()


def run(url: str, *, rows: int, rounds: int) -> dict[str, dict[str, float]]:
    """Median seconds per statement: {op: {'plain': s, 'audited': s, 'floor': s}}."""
    times: dict[str, dict[str, list[float]]] = {op: {t: [] for t in TABLES} for op in OPS}
    with psycopg.connect(url, autocommit=True) as conn:
        shop = one(conn.execute(
            "insert into app.shop (shopify_domain, name, currency, iana_timezone) "
            "values (%s, 'Bench', 'USD', 'UTC') returning shop_id",
            (f"bench-{uuid.uuid4().hex[:10]}.myshopify.com",)))[0]
        with conn.transaction():
            conn.execute(CLEANUP)
            conn.execute(SETUP)
        params = {"shop": shop, "rows": rows}
        try:
            for i in range(rounds + 1):  # round 0 warms caches and is not counted
                order = TABLES if i % 2 else TABLES[::-1]
                for op in OPS:
                    for table in order:
                        seconds = _timed(conn, STATEMENTS[op].format(t=f"bench.{table}"),
                                         params)
                        if i:
                            times[op][table].append(seconds)
                conn.execute("vacuum bench.plain, bench.audited, bench.floor")
        finally:
            with conn.transaction():
                conn.execute(CLEANUP)
    return {op: {t: statistics.median(v) for t, v in per.items()} for op, per in times.items()}


def report(result: dict[str, dict[str, float]], *, rows: int, rounds: int) -> str:
    """The figures as a table: rows/s without and with the audit, the slowdown, and the floor."""
    lines = [f"row-change audit benchmark: {rows} rows per statement, median of {rounds} "
             "rounds, server time per committed statement",
             f"{'statement':<10}{'plain rows/s':>15}{'audited rows/s':>17}{'slowdown':>10}"
             f"{'floor':>8}"]
    total = dict.fromkeys(TABLES, 0.0)
    for op, t in result.items():
        for table in TABLES:
            total[table] += t[table]
        lines.append(f"{op:<10}{rows / t['plain']:>15,.0f}{rows / t['audited']:>17,.0f}"
                     f"{t['audited'] / t['plain']:>9.2f}x{t['floor'] / t['plain']:>7.2f}x")
    lines.append(f"{'all three':<10}{3 * rows / total['plain']:>15,.0f}"
                 f"{3 * rows / total['audited']:>17,.0f}"
                 f"{total['audited'] / total['plain']:>9.2f}x"
                 f"{total['floor'] / total['plain']:>7.2f}x"
                 "   (goal: at most 1.30x)")
    lines.append("floor: the same table with a trigger that only has Postgres capture the "
                 "transition tables and does nothing; no statement-level audit can cost less")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark against --database, or a throwaway server; print the figures."""
    parser = argparse.ArgumentParser(prog="python -m storepulse.bench.audit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="postgresql:// URL of a migrated database "
                        "(default: start a throwaway server)")
    parser.add_argument("--rows", type=int, default=10_000, help="rows per statement")
    parser.add_argument("--rounds", type=int, default=7, help="measured rounds")
    args = parser.parse_args(argv)
    if args.database:
        result = run(args.database, rows=args.rows, rounds=args.rounds)
    else:
        from storepulse.testkit.harness import build_stack  # noqa: PLC0415

        stack = build_stack(with_template=False)
        try:
            result = run(stack.main_url, rows=args.rows, rounds=args.rounds)
        finally:
            stack.stop()
    print(report(result, rows=args.rows, rounds=args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
