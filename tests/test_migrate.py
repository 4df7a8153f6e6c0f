"""`storepulse migrate`: a clear message for each bad DATABASE_URL, then yoyo as documented.

Every call runs the command in-process, against the session's throwaway server; nothing
leaves the machine (the unreachable hosts are `.invalid`, which never resolves).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from storepulse import cli
from storepulse.db import migrate
from storepulse.testkit import supabase_standin
from storepulse.testkit.harness import Stack, create_database

YOYO = Path(sys.executable).with_name("yoyo")


def run_migrate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`storepulse migrate ARGS` in-process: exit code, stdout, stderr."""
    try:
        code = cli.main(["migrate", *args])
    except SystemExit as exc:  # argparse and yoyo's own usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def empty_url(stack: Stack) -> Iterator[str]:
    """A new, empty database (no stand-in, no migrations) on the session's server."""
    name = f"storepulse_migrate_{os.getpid()}"
    url = create_database(stack.server, name)
    try:
        yield url
    finally:
        with stack.connect(autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')


def test_unset_database_url_says_what_to_export(capsys, monkeypatch) -> None:  # noqa: ANN001
    """Without DATABASE_URL: exit 2 and the export line, where `yoyo apply` shows a traceback."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    code, _, err = run_migrate(capsys)
    assert code == 2
    assert "DATABASE_URL is not set" in err
    assert "export DATABASE_URL='postgresql://" in err

    yoyo = subprocess.run([str(YOYO), "apply"], cwd=migrate.ROOT, capture_output=True,
                          text=True, env={k: v for k, v in os.environ.items()
                                          if k != "DATABASE_URL"}, check=False)
    assert "InterpolationMissingOptionError" in yoyo.stderr  # why the command exists


@pytest.mark.parametrize(("url", "says"), [
    ("foo", "not a URL yoyo can read"),
    ("mysql://u:p@db.example.invalid/x", "starts with mysql://: use postgresql://"),
    ("postgresql://postgres.abc:[YOUR-PASSWORD]@aws-0-eu-west-1.pooler.supabase.com:5432/"
     "postgres", "placeholder [YOUR-PASSWORD]"),
    ("postgresql://postgres.<ref>:<password>@aws-0-<region>.pooler.supabase.com:5432/postgres",
     "placeholder <ref>"),
    ("postgresql://postgres.abc:secret@aws-0-eu-west-1.pooler.supabase.com:6543/postgres",
     "transaction pooler (port 6543)"),
    ("postgresql://postgres:ab/cd@db.example.invalid:5432/postgres",
     "percent-encoded: @ -> %40"),
    ("postgresql://postgres:ab#cd@db.example.invalid:5432/postgres", "has a '#'"),
    ("postgresql:///postgres", "names no host"),
    ("postgresql://postgres:secret@db.example.invalid:5432/postgres", "cannot connect"),
])
def test_bad_urls_get_one_clear_message(capsys, url: str, says: str) -> None:  # noqa: ANN001
    """Each malformed or unreachable URL stops before yoyo, naming what to fix."""
    code, _out, err = run_migrate(capsys, "--database", url, "list")
    assert code == 2, err
    assert says in err
    assert "secret" not in err  # the password is never echoed


def test_refused_connection_and_unknown_database(capsys, stack: Stack) -> None:  # noqa: ANN001
    """A closed port and a missing database name the server's answer and what to check."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = run_migrate(capsys, "--database", f"postgresql://postgres@127.0.0.1:{port}/x")
    assert code == 2
    assert "Connection refused" in err
    assert "psql \"$DATABASE_URL\"" in err
    code, _, err = run_migrate(capsys, "--database", stack.server.url("no_such_db"))
    assert code == 2
    assert 'database "no_such_db" does not exist' in err


def test_migrated_database_passes_the_checks(capsys, monkeypatch, tmp_path,  # noqa: ANN001
                                            stack: Stack) -> None:
    """The session's main database passes, and yoyo finds the clone's yoyo.ini from anywhere."""
    monkeypatch.setenv("DATABASE_URL", stack.main_url)
    monkeypatch.chdir(tmp_path)  # no yoyo.ini here or above
    code, _, err = run_migrate(capsys, "--check")
    assert code == 0
    assert "checks passed" in err
    code, out, _ = run_migrate(capsys, "list")
    assert code == 0
    assert migrate.all_migrations()[-1].id in out


def test_apply_checks_supabase_and_pg_cron_then_runs_yoyo(capsys, monkeypatch,  # noqa: ANN001
                                                          empty_url: str) -> None:
    """An empty Postgres is refused, a stand-in without pg_cron too; then yoyo applies."""
    monkeypatch.setenv("DATABASE_URL", empty_url)
    code, _, err = run_migrate(capsys)
    # (the roles are the cluster's, made by the session's stand-in: auth.uid() is missing)
    assert code == 2
    assert "not a Supabase database" in err
    assert "auth.uid()" in err

    assert supabase_standin.prepare(empty_url)  # pg_cron lives in `postgres` only
    code, _, err = run_migrate(capsys)
    assert code == 2
    assert "pg_cron is not enabled" in err
    assert "--without-pg-cron" in err

    code, _, err = run_migrate(capsys, "--without-pg-cron")
    n = len(migrate.all_migrations())
    assert code == 0
    assert f"{n} of {n} migrations applied" in err

    # `yoyo apply` itself keeps working as the README documents it, from the clone
    yoyo = subprocess.run([str(YOYO), "apply"], cwd=migrate.ROOT, capture_output=True,
                          text=True, env={**os.environ, "DATABASE_URL": empty_url}, check=False)
    assert yoyo.returncode == 0, yoyo.stderr

    # yoyo's arguments pass through: the last migration rolled back and applied again; when
    # it schedules a cron job, apply still asks for pg_cron (or --without-pg-cron), else
    # nothing is left to schedule and apply passes the pg_cron check
    last = migrate.all_migrations()[-1]
    code, _, err = run_migrate(capsys, "rollback", "--revision", last.id)
    assert code == 0
    assert f"{n - 1} of {n} migrations applied" in err
    schedules = Path(last.path).parent.name == "cron"
    code, _, err = run_migrate(capsys, "apply")
    assert code == (2 if schedules else 0), err
    if schedules:
        assert "pg_cron is not enabled" in err
        code, _, err = run_migrate(capsys, "--without-pg-cron", "apply")
        assert code == 0, err
    assert f"{n} of {n} migrations applied" in err


def test_a_refused_migration_ends_in_its_message(capsys, monkeypatch,  # noqa: ANN001
                                                 empty_url: str) -> None:
    """A migration the database refuses ends in Postgres's message, not a traceback."""
    supabase_standin.prepare(empty_url)
    with psycopg.connect(empty_url, autocommit=True) as conn:
        conn.execute("create schema app")
    monkeypatch.setenv("DATABASE_URL", empty_url)
    code, _, err = run_migrate(capsys, "--without-pg-cron")
    assert code == 1
    assert 'schema "app" already exists' in err
    assert "the database refused a migration" in err
