"""The `storepulse` command: demo, lint, schema and new-migration."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shlex
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from storepulse.db import migrate

if TYPE_CHECKING:
    from storepulse.db.schema_tree import Replacement


def _say(msg: str = "") -> None:
    print(msg, flush=True)


def cmd_demo(args: argparse.Namespace) -> int:
    """Start the embedded database, migrate it, create a demo shop and show it."""
    from storepulse import demo  # noqa: PLC0415 - imports psycopg-heavy code lazily

    return demo.run(keep=args.keep, days=args.days)


DEMO_MAX_DAYS = 3 * 365  # the `large` scale's span; a year takes the demo minutes already


def int_between(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse type: an integer from `low` to `high`, else a message saying so."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range: {what}")
        return value

    return parse


def cmd_migrate(args: argparse.Namespace) -> int:
    """Check DATABASE_URL and its database, then run yoyo (apply by default)."""
    from storepulse.db import preflight  # noqa: PLC0415

    return preflight.run(args.yoyo_args, database=args.database,
                         without_pg_cron=args.without_pg_cron, check_only=args.check)


def cmd_lint(args: argparse.Namespace) -> int:
    """Run the static lint over the SQL files, and the database lint if a URL is given."""
    from storepulse.db import lint_static  # noqa: PLC0415

    findings = lint_static.lint_paths()
    for f in findings:
        _say(str(f))
    bad = bool(findings)
    _say(f"static lint: {len(findings)} finding(s) in {migrate.ROOT}")
    if args.database:
        import psycopg  # noqa: PLC0415

        from storepulse.db import lint_db  # noqa: PLC0415

        with psycopg.connect(migrate.normalise_url(args.database)) as conn:
            db_findings = lint_db.run(conn)
        for db_finding in db_findings:
            _say(str(db_finding))
        blocking = [f for f in db_findings if f.level in ("ERROR", "WARN")]
        _say(f"database lint: {len(blocking)} ERROR/WARN, "
             f"{len(db_findings) - len(blocking)} INFO")
        bad = bad or bool(blocking)
    return 1 if bad else 0


ID_RE = re.compile(r"^(\d{8})_(\d{2})_[a-z0-9-]+$")
MAX_PER_DAY = 99  # the sequence number has two digits


def today() -> dt.date:
    """The local date new migrations are named after (tests replace it to pin the date)."""
    return dt.date.today()


def next_id(slug: str, root: Path | None = None, day: dt.date | None = None) -> tuple[str, str]:
    """The id for a new migration and the id it must depend on (the latest one).

    Ids continue the latest migration's date when that date is today or later (so the
    chain stays ordered), else start today at 01. A slug already used on that date is
    refused: two migrations of one day with one name are two halves of one change.
    """
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        raise SystemExit(f"slug {slug!r}: use lowercase words joined by dashes, e.g. add-orders")
    ids = [m.id for m in migrate.all_migrations(root or migrate.ROOT)]
    latest = max(ids) if ids else ""
    stamp = (day or today()).strftime("%Y%m%d")
    m = ID_RE.match(latest)
    if m and m.group(1) >= stamp:
        stamp, seq = m.group(1), int(m.group(2)) + 1
    else:
        seq = 1
    taken = [i for i in ids if i.startswith(f"{stamp}_") and i.endswith(f"_{slug}")]
    if taken:
        raise SystemExit(f"slug {slug!r} is already used on {stamp} ({taken[0]}): pick another "
                         "name, or add to that migration if it has not landed yet")
    if seq > MAX_PER_DAY:
        raise SystemExit(f"{stamp} already has {MAX_PER_DAY} migrations; wait for tomorrow")
    return f"{stamp}_{seq:02d}_{slug}", latest


def _comment(text: str) -> str:
    """`text` as `-- ` comment lines of at most 90 characters."""
    return textwrap.fill(text, 90, initial_indent="-- ", subsequent_indent="-- ",
                         break_on_hyphens=False, break_long_words=False) + "\n"


def _replacing_header(rep: Replacement) -> tuple[str, str]:
    """The comment blocks of a migration replacing an object, and of its rollback."""
    from storepulse.db import schema_tree  # noqa: PLC0415

    name = schema_tree.title(rep)
    forward = _comment(f"Replaces the {name}. Below is its current definition, from {rep.path}:"
                       " edit it into the new one. The rollback restores it as it is now.")
    rollback = _comment(f"Restore the {name} as it was before this migration (from "
                        f"{rep.path}). {schema_tree.UNDO_FIRST[rep.kind]}") + "\n"
    return forward, rollback


def cmd_new(args: argparse.Namespace) -> int:
    """Write a new migration pair, chained to the latest migration.

    With --replaces, both files start from the object's current definition in schema/:
    the forward file to edit into the new one, the rollback to restore it unchanged.
    """
    from storepulse.db import schema_tree  # noqa: PLC0415 - pglast, only when needed

    folder = migrate.ROOT / args.folder
    if args.folder not in migrate.SOURCE_DIRS:
        raise SystemExit(f"folder must be one of {', '.join(migrate.SOURCE_DIRS)}")
    rep = None
    if args.replaces:
        tree = migrate.ROOT / schema_tree.TREE
        rep = schema_tree.replacement(schema_tree.resolve(args.replaces, tree), tree)
        if rep.kind != args.folder:
            raise SystemExit(f"{rep.label} ({rep.path}) is changed in {rep.kind}/, "
                             f"not {args.folder}/: storepulse new {rep.kind} {args.slug} "
                             f"--replaces {shlex.quote(args.replaces)}")
    new_id, latest = next_id(args.slug)
    forward = folder / f"{new_id}.sql"
    backward = folder / f"{new_id}.rollback.sql"
    depends = f"-- depends: {latest}\n" if latest else ""
    head = f"-- {args.description or 'Describe the change in one line.'}\n{depends}--\n"
    if rep is None:
        forward.write_text(
            head + "-- Why, and what it locks. Then the statements, one per chunk, "
            "no BEGIN/COMMIT.\n\n"
        )
        backward.write_text("-- Undo the statements above, in reverse order.\n\n")
    else:
        why, undo = _replacing_header(rep)
        forward.write_text(head + why + "\n" + "\n\n".join(rep.forward) + "\n", encoding="utf-8")
        backward.write_text(undo + "\n\n".join(rep.rollback) + "\n", encoding="utf-8")
    _say(f"wrote {forward.relative_to(migrate.ROOT)} and {backward.relative_to(migrate.ROOT)}")
    if rep is not None:
        _say(f"both hold the current definition of the {schema_tree.title(rep)}: edit the "
             "forward file, and run `storepulse schema` to update schema/")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Write schema/ from a migrated database (a throwaway one unless --database is given)."""
    from storepulse.db import schema_tree  # noqa: PLC0415

    if args.database:
        tree = schema_tree.render(args.database, migrate.ROOT)
    else:
        from storepulse.testkit.harness import build_stack  # noqa: PLC0415

        _say("schema: starting a throwaway server and migrating it")
        stack = build_stack(with_template=False)
        try:
            tree = schema_tree.render(stack.main_url, migrate.ROOT)
        finally:
            stack.stop()
    if not tree.has_cron:
        _say(f"schema: pg_cron is not installed in that database: {schema_tree.TREE}/"
             f"{schema_tree.CRON_DIR}/ and {schema_tree.TREE}/{schema_tree.ROOT_README} "
             "are left as they are")
    target = migrate.ROOT / schema_tree.TREE
    if args.check:
        diffs = schema_tree.differences(tree, target)
        for line in diffs:
            _say(line)
        if diffs:
            _say(f"schema: {len(diffs)} file(s) differ from the migrations: "
                 "run `storepulse schema`")
            return 1
        _say(f"schema: {schema_tree.TREE}/ matches the migrations ({len(tree.files)} files)")
        return 0
    diffs = schema_tree.write(tree, target)
    for line in diffs:
        _say(line)
    _say(f"schema: wrote {schema_tree.TREE}/ ({len(tree.files)} files, {len(diffs)} updated)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `storepulse` command."""
    parser = argparse.ArgumentParser(prog="storepulse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="start a database, migrate it, and show a demo shop")
    p.add_argument("--keep", action="store_true",
                   help="keep the database running until Ctrl-C (default: clean up)")
    p.add_argument("--days", type=int_between(1, DEMO_MAX_DAYS,
                                             f"give 1 to {DEMO_MAX_DAYS} days (three years)"),
                   default=92, metavar="N",
                   help=f"days of Hot Rod AN to generate and ingest, 1 to {DEMO_MAX_DAYS} "
                        "(default: a season, 92)")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser(
        "migrate", help="check DATABASE_URL and its database, then run yoyo (default: apply)",
        description="Check that DATABASE_URL is set, is a postgresql:// URL yoyo can read "
                    "(no placeholder, not the transaction pooler) and connects, and for "
                    "apply that the database is Supabase's with pg_cron enabled; then run "
                    "`yoyo COMMAND ARGS` with this clone's yoyo.ini, from any folder.")
    p.add_argument("--database", metavar="URL",
                   help="the URL to use instead of $DATABASE_URL")
    p.add_argument("--without-pg-cron", action="store_true",
                   help="apply even though pg_cron is not enabled (the jobs are not scheduled)")
    p.add_argument("--check", action="store_true", help="only check; run no yoyo command")
    p.add_argument("yoyo_args", nargs=argparse.REMAINDER, metavar="COMMAND ARGS",
                   help="a yoyo command and its arguments: apply (default), list, "
                        "rollback --revision <id>, break-lock, ...")
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser("lint", help="lint the SQL files, and a database if --database is given")
    p.add_argument("--database", help="postgresql:// URL of a migrated database")
    p.set_defaults(func=cmd_lint)
    p = sub.add_parser("new", help="write a new migration and its rollback, chained")
    p.add_argument("folder", help="|".join(migrate.SOURCE_DIRS))
    p.add_argument("slug", help="verb-object, e.g. create-orders")
    p.add_argument("-m", "--description", help="one-line description for the header")
    p.add_argument("--replaces", metavar="OBJECT",
                   help="start both files from the current definition of a function, view, "
                        "policy or cron job in schema/: api.sales_pulse, "
                        "'app.shop_member/<policy name>', cron/<job> or a schema/ path")
    p.set_defaults(func=cmd_new)
    p = sub.add_parser("schema", help="write schema/, the current definition of every object")
    p.add_argument("--database", help="postgresql:// URL of a migrated database "
                                      "(default: migrate a throwaway server)")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 listing the files that differ")
    p.set_defaults(func=cmd_schema)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
