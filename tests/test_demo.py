"""The README's demo, end to end, on the native server and on the server from PyPI."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from storepulse import cli

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
