"""The README's demo, end to end, on the native server and on the server from PyPI."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import re
import shlex
import signal
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from storepulse import cli
from storepulse.db import migrate
from storepulse.demo import explain_outcomes, migrated_line, today_lines
from storepulse.testkit import postgrest_standin

EXPECTED = (
    "created; added mia@hotrodan.example",
    "backfilled the catalog first",
    "Sales Pulse: Hot Rod AN (USD, America/Los_Angeles), 2026-11-25",
    "Top products, last 30 days (net sales):",
    "Cache-Control: max-age=300",
    "operator otto  hot-rod-an.myshopify.com (operator)",
    "stranger renames it              -> 403 42501",
    "anon creates a shop              -> 401 42501",
    "owner leaves the shop ownerless  -> 400 23514",
    "viewer vera approves             -> 403 42501",
    "operator otto approves           -> 200: recorded",
    "manager mia rejects              -> 409 23505: suggestion",
    "app.shop_member  INSERT  authenticated  /rpc/add_shop_member",
    "2. Applied the Supabase stand-in (roles, auth schema, extensions), then yoyo",
    "     duplicate  an event id delivered before",
    "  Today through 15:30, against Wed Nov 18 through 15:30:",
    "  Gross profit  ",
    "  Gross sales  ",
    "12. GET /rpc/inventory_watch as the owner (Cache-Control: max-age=300)",
    "  Inventory Watch: Hot Rod AN, 2026-11-25",
    "  Below the reorder point: ",
    "    .venv/bin/storepulse migrate        # the checks below, then .venv/bin/yoyo apply",
    "Cleaning up. With --keep",
)


@pytest.mark.parametrize("server", ["native", "embedded"])
def test_demo_shows_the_shop_and_cleans_up(server: str) -> None:
    """`storepulse demo` migrates, shows the shop, team and refusals, and exits 0."""
    env = {**os.environ, "STOREPULSE_SERVER": server}
    env.pop("STOREPULSE_DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-m", "storepulse.cli", "demo", "--days", "12"], env=env,
                         capture_output=True, text=True, timeout=180, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    for line in EXPECTED:
        assert line in out.stdout, f"{line!r} missing from:\n{out.stdout}"
    assert f"{server} server ready" in out.stdout
    assert " 0 applied" not in out.stdout
    assert "http " not in out.stdout


@pytest.mark.parametrize(("days", "says"), [
    ("0", "0 is out of range: give 1 to 1095 days"),
    ("-3", "-3 is out of range"),
    ("100000", "100000 is out of range"),
    ("x", "'x' is not a whole number"),
    ("1.5", "'1.5' is not a whole number"),
])
def test_demo_refuses_bad_days_before_starting(days: str, says: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """--days outside 1..1095 is refused by argparse (exit 2), before any server starts."""
    with pytest.raises(SystemExit) as exc:
        cli.main(["demo", "--days", days])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --days: {says}" in err
    assert "Traceback" not in err


def test_headline_shows_orders_gross_and_net_with_their_changes() -> None:
    """A day with net sales -22 % and gross sales -70 % reads as both, not as a mild dip."""
    today = {"through_hour": 15, "through": "15:30",
             "so_far": {"orders": 3, "units": 4, "gross_sales": 300, "discounts": 20,
                        "returns": -500, "net_sales": 780, "total_sales": 800},
             "same_weekday_last_week": {"orders": 10, "units": 12, "gross_sales": 1000,
                                        "discounts": 0, "returns": 0, "net_sales": 1000,
                                        "total_sales": 1100},
             "delta": {"orders": {"change": -7, "percent": -70.0},
                       "gross_sales": {"change": -700, "percent": -70.0},
                       "net_sales": {"change": -220, "percent": -22.0}}}
    text = "\n".join(today_lines(today, dt.date(2026, 11, 18)))
    assert "Today through 15:30, against Wed Nov 18 through 15:30" in text
    assert "15:59" not in text
    assert re.search(r"Orders +3 +10 +-70\.0%", text), text
    assert re.search(r"Gross sales +\$300\.00 +\$1,000\.00 +-70\.0%", text), text
    assert re.search(r"Net sales +\$780\.00 +\$1,000\.00 +-22\.0%", text), text
    assert "Note: gross sales -70.0% but net sales -22.0%" in text
    calm = today | {"delta": today["delta"] | {"gross_sales": {"change": -250,
                                                               "percent": -25.0}}}
    assert "Note:" not in "\n".join(today_lines(calm, dt.date(2026, 11, 18)))


def test_outcomes_are_explained_one_line_each() -> None:
    """Every outcome that occurred gets its meaning; `recorded` names its topics."""
    text = explain_outcomes({"applied": 10, "stale": 2, "duplicate": 1, "recorded": 3},
                            {"orders/edited": 2, "customers/redact": 1})
    assert [line.split()[0] for line in text.splitlines() if line[5] != " "] == \
        ["applied", "stale", "duplicate", "recorded"]
    assert "here 2 orders/edited, 1 customers/redact" in text
    assert "the next orders/updated" in text
    assert "compliance topics" in text


def test_stand_in_is_mentioned_only_where_applied() -> None:
    """Against Supabase (no stand-in applied) step 2 does not claim to have applied it."""
    assert "Applied the Supabase stand-in" in migrated_line(36, 1.0, standin_applied=True)
    line = migrated_line(36, 1.0, standin_applied=False)
    assert "stand-in" in line
    assert "Applied the Supabase stand-in" not in line
    assert "all 36 migrations" in line


def _lines_until(proc: subprocess.Popen[str], marker: str, timeout: float) -> list[str]:
    """The demo's stdout up to the line containing `marker` (read on a thread)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        if line is None:
            raise AssertionError("the demo ended early:\n" + "\n".join(seen))
        seen.append(line)
        if marker in line:
            return seen


def test_demo_keep_prints_commands_that_work() -> None:
    """With --keep, the printed psql, yoyo and migrate commands and the psql snippet work.

    The snippet (role and claims set as PostgREST sets them) answers the same tile as
    GET /rpc/sales_pulse through the PostgREST stand-in, and Ctrl-C removes the database.
    """
    env = {**os.environ, "STOREPULSE_SERVER": "native"}
    env.pop("STOREPULSE_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "storepulse.cli", "demo", "--keep",
                             "--days", "3"], env=env, cwd=migrate.ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        out = _lines_until(proc, "press Ctrl-C", timeout=180)
        text = "\n".join(out)
        start = next(i for i, line in enumerate(out) if line.startswith("Call the API in psql"))
        snippet = "\n".join(line[4:] for line in out[start + 1:]
                            if line.startswith("    "))
        assert snippet.startswith("begin isolation level read committed read only;")
        assert "set_config('role', 'authenticated', true)" in snippet
        assert "set_config('request.jwt.claims', '{\"sub\": " in snippet
        assert snippet.endswith("rollback;")
        url = re.search(r"^    psql '([^']+)'$", text, re.M).group(1)

        commands = [ln.strip() for ln in out if ln.startswith("    DATABASE_URL=")]
        assert [c.split()[1] for c in commands] == [".venv/bin/yoyo", ".venv/bin/storepulse"]
        for line in commands:  # as pasted into a shell in the clone
            ran = subprocess.run(["bash", "-c", line], cwd=migrate.ROOT, env=os.environ,
                                 capture_output=True, text=True, timeout=60, check=False)
            assert ran.returncode == 0, ran.stderr
            assert migrate.all_migrations()[-1].id in ran.stdout, line

        psql = shlex.split(re.search(r"^    (\S+) '", text, re.M).group(1))
        ran = subprocess.run([*psql, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url],
                             input=snippet, capture_output=True, text=True, timeout=60,
                             check=False)
        assert ran.returncode == 0, ran.stderr
        pasted = json.loads("\n".join(ran.stdout.splitlines()[1:]))

        sub = re.search(r'"sub": "([0-9a-f-]+)"', snippet).group(1)
        shop = re.search(r"shop_id => '([0-9a-f-]+)'", snippet).group(1)
        as_of = re.search(r"as_of => '([^']+)'", snippet).group(1)
        with psycopg.connect(url, autocommit=True) as conn:
            via_postgrest = postgrest_standin.rpc(
                conn, "sales_pulse", {"shop_id": shop, "as_of": as_of},
                identity=postgrest_standin.user(sub), method="GET").raise_for_status().body
        assert pasted == via_postgrest

        readme = (migrate.ROOT / "README.md").read_text()
        block = re.search(r"^(begin isolation level.*?^rollback;)$", readme, re.M | re.S)
        generic = (snippet.replace(sub, "<user id>").replace(shop, "<shop id>")
                   .replace("olive@hotrodan.example", "<email>")
                   .replace(f", as_of => '{as_of}'", ""))
        assert block is not None
        assert block.group(1) == generic
        assert pasted["shop"]["name"] == "Hot Rod AN"
        assert pasted["today"]["so_far"]["orders"] > 0
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3).close()
