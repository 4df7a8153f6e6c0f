"""The decision queries, as properties over random decision logs.

History with filters, latency, approval rates, and exports that parse back to exactly
the rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import uuid
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storepulse.testkit.postgrest_standin import rpc
from tests.auditing import Team, build_team, db_now, insert_decision, insert_suggestion

PROPERTY = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
KINDS = ("chase_carrier", "fix_seo_page", "reorder_sku", "send_reply")
DECIDERS = ("owner", "manager", "operator")
COLUMNS = ("shop_id", "suggestion_id", "kind", "subject_type", "subject_id", "payload", "source",
           "model_version", "score", "evidence", "suggested_by", "suggested_role", "suggested_at",
           "expires_at", "outcome", "decided_by", "decided_role", "decided_at", "note",
           "edited_payload")
JSON_COLUMNS = {"payload", "evidence", "edited_payload"}
TIME_COLUMNS = {"suggested_at", "expires_at", "decided_at"}

text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=40)
decision = st.fixed_dictionaries({
    "kind": st.sampled_from(KINDS),
    "outcome": st.sampled_from(("approved", "rejected", "edited", "expired")),
    "decider": st.sampled_from(DECIDERS),
    "days_ago": st.integers(1, 60),
    "latency": st.integers(1, 86_000),
    "subject_id": text.filter(lambda t: t.strip(" ") != ""),
    "payload": st.dictionaries(text, st.one_of(st.integers(-10**6, 10**6), text, st.none(),
                                               st.booleans()), max_size=3),
    "score": st.none() | st.decimals(0, 1, places=3),
    "note": st.none() | text.filter(lambda t: t.strip(" ") != ""),
})
logs = st.lists(decision, min_size=1, max_size=12)


@pytest.fixture
def team(db: psycopg.Connection) -> Team:
    """A shop with one member per role."""
    return build_team(db)


def _write(db: psycopg.Connection, team: Team, log: list[dict]) -> list[dict]:
    """Write the log (back-dated) and return what each decision should look like."""
    now = db_now(db)
    written = []
    for d in log:
        suggested_at = now - dt.timedelta(days=d["days_ago"])
        decided_at = suggested_at + dt.timedelta(seconds=d["latency"])
        sid = insert_suggestion(db, team.shop, suggested_at, kind=d["kind"],
                                subject_id=d["subject_id"], payload=d["payload"],
                                score=d["score"], expires_in=dt.timedelta(days=1))
        edited = {**d["payload"], "edited": True} if d["outcome"] == "edited" else None
        expired = d["outcome"] == "expired"
        if expired:  # recorded by the expiry job: decided when it expired
            decided_at = suggested_at + dt.timedelta(days=1)
        insert_decision(db, team.shop, sid, decided_at, outcome=d["outcome"],
                        decided_by=team.user(d["decider"]), decided_role=d["decider"],
                        note=d["note"], edited_payload=edited)
        written.append({**d, "suggestion_id": str(sid), "decided_at": decided_at,
                        "actor": None if expired else str(team.user(d["decider"]))})
    return written


def _percentile(values: list[float], p: float) -> float:
    """percentile_cont: linear interpolation between the closest ranks."""
    values = sorted(values)
    pos = p * (len(values) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


@PROPERTY
@given(log=logs, kind=st.none() | st.sampled_from(KINDS),
       outcome=st.none() | st.sampled_from(("approved", "rejected", "edited", "expired")),
       decider=st.none() | st.sampled_from(DECIDERS), since_days=st.none() | st.integers(1, 60))
def test_history_filters_by_kind_decider_outcome_and_period(
        db: psycopg.Connection, team: Team, log: list[dict], kind: str | None,
        outcome: str | None, decider: str | None, since_days: int | None) -> None:
    """decision_log returns exactly the matching decisions, newest first."""
    with db.transaction(force_rollback=True):
        written = _write(db, team, log)
        since = None if since_days is None else db_now(db) - dt.timedelta(days=since_days)
        args: dict[str, Any] = {"shop_id": str(team.shop), "kind": kind, "outcome": outcome,
                                "decided_by": decider and str(team.user(decider)),
                                "since": since and since.isoformat()}
        body = rpc(db, "decision_log", {k: v for k, v in args.items() if v is not None},
                   identity=team.identity("viewer")).raise_for_status().body
        got = [r["suggestion_id"] for r in body]
        stamps = [dt.datetime.fromisoformat(r["decided_at"]) for r in body]
        assert stamps == sorted(stamps, reverse=True)
        expected = {
            w["suggestion_id"] for w in written
            if (kind is None or w["kind"] == kind) and (outcome is None or w["outcome"] == outcome)
            and (decider is None or w["actor"] == str(team.user(decider)))
            and (since is None or w["decided_at"] >= since)
        }
        assert set(got) == expected
        assert len(got) == len(expected)


@PROPERTY
@given(log=logs)
def test_latency_and_approval_rates_match_the_log(db: psycopg.Connection, team: Team,
                                                  log: list[dict]) -> None:
    """Latency per kind and approval rates per kind and decider, computed independently."""
    with db.transaction(force_rollback=True):
        written = _write(db, team, log)
        latency = rpc(db, "decision_latency", {"shop_id": str(team.shop)},
                      identity=team.identity("operator")).raise_for_status().body
        answered = [w for w in written if w["outcome"] != "expired"]
        for row in latency:
            secs = [float(w["latency"]) for w in answered if w["kind"] == row["kind"]]
            assert row["decisions"] == len(secs)
            assert row["average_seconds"] == pytest.approx(sum(secs) / len(secs))
            assert row["median_seconds"] == pytest.approx(_percentile(secs, 0.5))
            assert row["p90_seconds"] == pytest.approx(_percentile(secs, 0.9))
            assert row["max_seconds"] == pytest.approx(max(secs))
        assert {r["kind"] for r in latency} == {w["kind"] for w in answered}
        rates = rpc(db, "approval_rates", {"shop_id": str(team.shop)},
                    identity=team.identity("viewer")).raise_for_status().body
        for row in rates:
            key = "kind" if row["dimension"] == "kind" else "actor"
            group = [w for w in written if w[key] == (row["kind"] or row["decided_by"])]
            counts = {o: sum(w["outcome"] == o for w in group)
                      for o in ("approved", "edited", "rejected", "expired")}
            assert {o: row[o] for o in counts} == counts
            assert row["decisions"] == len(group)
            yes, asked = counts["approved"] + counts["edited"], len(group) - counts["expired"]
            assert row["approval_rate"] == (None if not asked else pytest.approx(yes / asked,
                                                                                 abs=5e-5))
        assert {(r["dimension"], r["kind"] or r["decided_by"]) for r in rates} == \
            {("kind", w["kind"]) for w in written} | {("actor", w["actor"]) for w in answered}


def _db_rows(db: psycopg.Connection, shop: uuid.UUID) -> list[dict]:
    """The shop's decided records as the admin reads them, in export order."""
    cur = db.execute(f"select {', '.join(COLUMNS)} from api.decisions where shop_id = %s "  # noqa: S608 - COLUMNS
                     "and decided_at is not null order by decided_at, suggestion_id", (shop,))
    return [{c: str(v) if isinstance(v, uuid.UUID) else v
             for c, v in zip(COLUMNS, row, strict=True)} for row in cur.fetchall()]


def _typed(column: str, value: object) -> object:
    """An exported value as the database type it came from (CSV gives text for all)."""
    if value is None or value == "":
        return None
    if column in TIME_COLUMNS:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if column in JSON_COLUMNS and isinstance(value, str):
        return json.loads(value, parse_float=Decimal)
    if column == "score":
        return Decimal(str(value))
    return value


@PROPERTY
@given(log=logs)
def test_exports_parse_back_to_the_rows(db: psycopg.Connection, team: Team,
                                        log: list[dict]) -> None:
    """CSV (RFC 4180) and JSON Lines exports, parsed, equal the decision records exactly."""
    with db.transaction(force_rollback=True):
        _write(db, team, log)
        truth = _db_rows(db, team.shop)
        args = {"shop_id": str(team.shop)}
        csv_text = rpc(db, "export_decisions_csv", args,
                       identity=team.identity("viewer")).raise_for_status().body
        jsonl = rpc(db, "export_decisions_jsonl", args,
                    identity=team.identity("viewer")).raise_for_status().body
        reader = csv.reader(io.StringIO(csv_text, newline=""), strict=True)
        header, *lines = list(reader)
        assert tuple(header) == COLUMNS
        assert csv_text.endswith("\r\n")
        from_csv = [{c: _typed(c, v) for c, v in zip(header, line, strict=True)} for line in lines]
        from_jsonl = [{c: _typed(c, v) for c, v in json.loads(line, parse_float=Decimal).items()}
                      for line in jsonl.split("\n")[:-1]]
        assert jsonl.endswith("\n") or not truth
        assert from_csv == truth
        assert from_jsonl == truth


def test_exports_of_an_empty_period_have_only_the_header(db: psycopg.Connection,
                                                         team: Team) -> None:
    """No decisions: the CSV is the header line, the JSON Lines export is empty."""
    args = {"shop_id": str(team.shop), "until": "2000-01-01T00:00:00Z"}
    ident = team.identity("owner")
    assert rpc(db, "export_decisions_csv", args, identity=ident).body == \
        ",".join(COLUMNS) + "\r\n"
    assert rpc(db, "export_decisions_jsonl", args, identity=ident).body == ""


@pytest.mark.parametrize(("fn", "args", "field"), [
    ("decision_log", {"kind": "buy_ads"}, "kind"),
    ("decision_log", {"outcome": "approve"}, "outcome"),
    ("decision_log", {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until"),
    ("export_decisions_csv", {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
     "until"),
])
def test_bad_query_arguments_name_the_field(db: psycopg.Connection, team: Team, fn: str,
                                            args: dict, field: str) -> None:
    """An unknown kind or outcome, or an empty period: 400 naming the argument."""
    resp = rpc(db, fn, {"shop_id": str(team.shop), **args}, identity=team.identity("owner"),
               method="GET")
    assert (resp.status, resp.code) == (400, "22023"), resp
    assert field in resp.body["message"], resp
