"""Fixtures: one throwaway PostgreSQL per test session, migrated once.

`db` is a connection (as the superuser) inside a transaction rolled back after the test.
`as_migrator(db)` is a block in which it acts as the role migrations run as, for tests that
create objects as a migration would. `fresh_url` is a new database cloned from the
migrated template, for tests that commit or need several connections. `need_extension`
fails in CI (where .ci/run installs every extension) and skips elsewhere when an extension
is missing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import psycopg
import pytest
from hypothesis import settings
from psycopg import sql

from storepulse.testkit.harness import Stack, build_stack

IN_CI = bool(os.environ.get("CI"))
# CI runs the same examples every time, so a red run is reproducible and never a dice roll;
# locally each run explores new ones (and a failure prints the example to pin).
settings.register_profile("ci", derandomize=True, print_blob=True)
if IN_CI:
    settings.load_profile("ci")
_stack: Stack | None = None


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """The session's server, with a migrated main database and template."""
    global _stack  # noqa: PLW0603 - reported in the terminal summary
    _stack = build_stack()
    try:
        yield _stack
    finally:
        _stack.stop()


@pytest.fixture
def db(stack: Stack) -> Iterator[psycopg.Connection]:
    """A connection to the main database inside a transaction that is rolled back."""
    with stack.connect() as conn:
        conn.execute("select 1")  # opens the transaction every test runs in
        try:
            yield conn
        finally:
            conn.rollback()


@pytest.fixture
def fresh_url(stack: Stack) -> Iterator[str]:
    """URL of a new database cloned from the migrated template, dropped afterwards."""
    with stack.fresh_database() as url:
        yield url


@pytest.fixture
def as_migrator(stack: Stack) -> Callable[[psycopg.Connection], AbstractContextManager[None]]:
    """Call with a connection in a transaction: inside the block it acts as the migrating role.

    It is the role the migrations ran as (`set local role`), so what a test creates there is
    owned, granted and defaulted as a migration's objects are (on the native cluster:
    `postgres`).
    """

    @contextlib.contextmanager
    def acting(conn: psycopg.Connection) -> Iterator[None]:
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(stack.server.migrator)))
        try:
            yield
        finally:
            conn.execute("reset role")

    return acting


@pytest.fixture
def need_extension(stack: Stack) -> Callable[[str], None]:
    """Call with an extension name: skip without it locally, fail without it in CI."""

    def check(name: str) -> None:
        if stack.has_extension(name):
            return
        message = f"extension {name} is not installed on this server"
        if IN_CI:
            pytest.fail(f"{message}; CI must run this test (.ci/run installs it)")
        pytest.skip(f"{message}; `bash .ci/run` installs it")

    return check


# The files that take longest (minutes each): run first, so that with two workers taking
# whole files (tools/test.sh) neither is left with a long file at the end.
LONG_FILES = ("test_migrations.py", "test_sales_pulse.py", "test_inventory_watch_truth.py",
              "test_demo.py", "test_synth.py", "test_rls.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the long files first, in LONG_FILES order; keep every other order as collected."""
    rank = {name: i for i, name in enumerate(LONG_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONG_FILES)))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how long the throwaway server took to start and to migrate."""
    if _stack is not None:
        terminalreporter.write_line(
            f"storepulse harness: {_stack.server.kind} PostgreSQL ready in "
            f"{_stack.ready_seconds:.2f} s; stand-in + migrations (main and template) in "
            f"{_stack.migrate_seconds:.2f} s"
        )
