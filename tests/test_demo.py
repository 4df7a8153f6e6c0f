"""The README's demo, end to end, on the native server and on the server from PyPI."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pytest

from storepulse import cli
from storepulse.demo import explain_outcomes, today_lines

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
    "  Today through 15:59, against the same hours of Wed Nov 18:",
    "  Gross sales  ",
    "Cleaning up",
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
    assert " 0 applied" not in out.stdout and "http " not in out.stdout


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
    assert f"argument --days: {says}" in err and "Traceback" not in err


def test_headline_shows_orders_gross_and_net_with_their_changes() -> None:
    """A day with net sales -22 % and gross sales -70 % reads as both, not as a mild dip."""
    today = {"through_hour": 15,
             "so_far": {"orders": 3, "units": 4, "gross_sales": 300, "net_sales": 780,
                        "total_sales": 800},
             "same_weekday_last_week": {"orders": 10, "units": 12, "gross_sales": 1000,
                                        "net_sales": 1000, "total_sales": 1100},
             "delta": {"orders": {"change": -7, "percent": -70.0},
                       "gross_sales": {"change": -700, "percent": -70.0},
                       "net_sales": {"change": -220, "percent": -22.0}}}
    text = "\n".join(today_lines(today, dt.date(2026, 11, 18)))
    assert "against the same hours of Wed Nov 18" in text
    assert re.search(r"Orders +3 +10 +-70\.0%", text), text
    assert re.search(r"Gross sales +\$300\.00 +\$1,000\.00 +-70\.0%", text), text
    assert re.search(r"Net sales +\$780\.00 +\$1,000\.00 +-22\.0%", text), text


def test_outcomes_are_explained_one_line_each() -> None:
    """Every outcome that occurred gets its meaning; `recorded` names its topics."""
    text = explain_outcomes({"applied": 10, "stale": 2, "duplicate": 1, "recorded": 3},
                            {"orders/edited": 2, "customers/redact": 1})
    assert [line.split()[0] for line in text.splitlines() if line[5] != " "] == \
        ["applied", "stale", "duplicate", "recorded"]
    assert "here 2 orders/edited, 1 customers/redact" in text
    assert "the next orders/updated" in text and "compliance topics" in text
