"""Lint a migrated database: splinter's plain-Postgres checks plus storepulse's stricter ones.

`run(conn)` runs `sql/lint.sql` (one read-only query) and, where pg_cron is installed, a
check for jobs that failed in the last 24 hours. Both run inside a savepoint (or a
transaction, on an autocommit connection) that is rolled back, with search_path = '' so
names come out schema-qualified and pgrst.db_schemas = 'api' unless already set.

    python -m storepulse.db.lint_db --database postgresql://...

prints every finding and exits 1 when any is an ERROR or a WARN.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files

import psycopg

LEVELS = ("ERROR", "WARN", "INFO")
FAILING_LEVELS = frozenset({"ERROR", "WARN"})
DEFAULT_EXPOSED_SCHEMAS = "api"

# pg_cron is optional (one database per cluster), so this is not part of lint.sql:
# it runs only when cron.job_run_details exists.
CRON_FAILURES_SQL = """
select
    'sp_cron_job_failed',
    'WARN',
    'cron job ' || coalesce(j.jobname::text, d.jobid::text),
    pg_catalog.format('%s failed run(s) in the last 24 h, the last at %s: %s',
        pg_catalog.count(*), pg_catalog.max(coalesce(d.end_time, d.start_time)),
        (pg_catalog.array_agg(d.return_message
            order by coalesce(d.end_time, d.start_time) desc))[1])
from cron.job_run_details as d
    left join cron.job as j on j.jobid = d.jobid
where d.status = 'failed'
    and coalesce(d.end_time, d.start_time) > pg_catalog.now() - interval '24 hours'
group by 3
"""


@dataclass(frozen=True)
class Finding:
    """One problem: which check found it, how bad it is, where, and what exactly."""

    name: str
    level: str
    object: str
    detail: str

    def __str__(self) -> str:
        """The finding as one line: level, name, object and detail."""
        return f"{self.level:<5} {self.name} {self.object}: {self.detail}"


def lint_sql() -> str:
    """The lint query shipped with the package (sql/lint.sql)."""
    return files("storepulse.db").joinpath("sql/lint.sql").read_text(encoding="utf-8")


def run(conn: psycopg.Connection) -> list[Finding]:
    """Every finding in the connection's database, ERRORs first, then WARNs, then INFOs."""
    with conn.transaction(force_rollback=True):
        conn.execute("set local search_path = ''")
        exposed = conn.execute(
            "select pg_catalog.current_setting('pgrst.db_schemas', true)").fetchone()
        if not (exposed and exposed[0]):
            conn.execute(f"set local pgrst.db_schemas = '{DEFAULT_EXPOSED_SCHEMAS}'")
        rows = [(r[0], r[1], r[3], r[4]) for r in conn.execute(lint_sql()).fetchall()]
        has_cron = conn.execute(
            "select pg_catalog.to_regclass('cron.job_run_details') is not null").fetchone()
        if has_cron and has_cron[0]:
            rows += conn.execute(CRON_FAILURES_SQL).fetchall()
    findings = [Finding(*row) for row in rows]
    return sorted(findings, key=lambda f: (LEVELS.index(f.level), f.name, f.object, f.detail))


def main(argv: Sequence[str] | None = None) -> int:
    """Print the findings for --database; 1 if any is an ERROR or a WARN, else 0."""
    parser = argparse.ArgumentParser(prog="python -m storepulse.db.lint_db", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("STOREPULSE_DATABASE_URL"),
                        help="postgresql:// URL (default: $STOREPULSE_DATABASE_URL)")
    args = parser.parse_args(argv)
    if not args.database:
        parser.error("--database is required (or set STOREPULSE_DATABASE_URL)")
    with psycopg.connect(args.database, autocommit=True) as conn:
        findings = run(conn)
    for finding in findings:
        print(finding)
    failing = sum(f.level in FAILING_LEVELS for f in findings)
    print(f"{len(findings)} finding(s), {failing} ERROR or WARN")
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
