"""The decision log through the API.

Who may suggest and decide, what is recorded, which states refuse a decision, what bad
input answers, and the expiry job.
"""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from storepulse.testkit import postgrest_standin, seed
from storepulse.testkit.postgrest_standin import rpc
from tests.auditing import Team, build_team, db_now, insert_decision, insert_suggestion


@pytest.fixture
def team(db: psycopg.Connection) -> Team:
    """A shop with one member per role."""
    return build_team(db)


def _count(db: psycopg.Connection, table: str) -> int:
    return db.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608 - a fixed name


def test_a_decision_records_who_when_what_and_why(db: psycopg.Connection, team: Team) -> None:
    """The record holds the suggestion as shown, the outcome, the decider and role, the note."""
    evidence = [{"tile": "inventory_cover", "id": "SKU-7"}, {"tile": "sales_pulse", "id": 42}]
    shown = seed.suggest(db, team.shop, subject_id="SKU-7", payload={"sku": "SKU-7", "qty": 12},
                         score=0.91, evidence=evidence)
    assert shown["status"] == "pending"
    assert shown["outcome"] is None
    assert (shown["suggested_by"], shown["suggested_role"]) == (None, "service_role")
    record = seed.decide(db, team.shop, shown["suggestion_id"], team.operator, note="Low cover")
    assert record["status"] == record["outcome"] == "approved"
    assert record["decided_by"] == str(team.operator)
    assert record["decided_role"] == "operator"
    assert record["note"] == "Low cover"
    assert record["edited_payload"] is None
    assert record["payload"] == {"sku": "SKU-7", "qty": 12}
    assert record["evidence"] == evidence
    assert (record["kind"], record["subject_type"], record["subject_id"]) == \
        ("reorder_sku", "sku", "SKU-7")
    assert (record["source"], record["model_version"], record["score"]) == \
        ("reorder-engine", "2026.11", 0.91)
    assert record["decided_at"] >= record["suggested_at"]


def test_an_edit_keeps_the_final_version_next_to_the_draft(db: psycopg.Connection,
                                                           team: Team) -> None:
    """Outcome edited: the drafted reply stays as shown, the sent text sits beside it."""
    draft = seed.suggest(db, team.shop, kind="send_reply", subject_type="conversation",
                         subject_id="conv-88", payload={"text": "Your parcel is late."},
                         identity=team.identity("manager"))
    assert (draft["suggested_by"], draft["suggested_role"]) == (str(team.manager), "manager")
    final = {"text": "Sorry: your parcel is two days late; we refunded shipping."}
    record = seed.decide(db, team.shop, draft["suggestion_id"], team.manager, "edited",
                         edited_payload=final)
    assert record["outcome"] == "edited"
    assert record["payload"] == {"text": "Your parcel is late."}
    assert record["edited_payload"] == final


@pytest.mark.parametrize("role", ["owner", "manager", "operator", "service_role", "viewer",
                                  "stranger", "anon"])
def test_who_may_suggest(db: psycopg.Connection, team: Team, role: str) -> None:
    """The analytics engine, owners, managers and operators suggest; nobody else."""
    before = _count(db, "audit.suggestion")
    resp = rpc(db, "suggest_action", {
        "shop_id": str(team.shop), "kind": "chase_carrier", "subject_type": "order",
        "subject_id": "#1001", "payload": {"carrier": "DHL"}, "source": "late-orders",
        "model_version": "r1"}, identity=team.identity(role))
    if role in ("owner", "manager", "operator", "service_role"):
        assert resp.ok, resp
        assert _count(db, "audit.suggestion") == before + 1
    else:
        assert (resp.status, resp.code) == (401 if role == "anon" else 403, "42501"), resp
        assert _count(db, "audit.suggestion") == before


@pytest.mark.parametrize("role", ["owner", "manager", "operator", "viewer", "stranger",
                                  "service_role", "anon"])
def test_who_may_decide(db: psycopg.Connection, team: Team, role: str) -> None:
    """Owners, managers and operators decide; viewers, strangers and the engine may not."""
    suggestion = seed.suggest(db, team.shop)["suggestion_id"]
    resp = rpc(db, "decide_action", {"shop_id": str(team.shop), "suggestion_id": suggestion,
                                     "outcome": "rejected"}, identity=team.identity(role))
    if role in ("owner", "manager", "operator"):
        assert resp.ok, resp
        assert resp.body["decided_role"] == role, resp
    else:
        assert (resp.status, resp.code) == (401 if role == "anon" else 403, "42501"), resp
        assert _count(db, "audit.decision") == 0


def test_a_second_decision_is_refused_naming_the_first(db: psycopg.Connection,
                                                       team: Team) -> None:
    """One decision per suggestion: the next one gets 409 saying who decided what."""
    suggestion = seed.suggest(db, team.shop)["suggestion_id"]
    seed.decide(db, team.shop, suggestion, team.operator, "rejected")
    resp = rpc(db, "decide_action", {"shop_id": str(team.shop), "suggestion_id": suggestion,
                                     "outcome": "approved"}, identity=team.identity("owner"))
    assert (resp.status, resp.code) == (409, "23505"), resp
    assert "already decided: rejected by " + str(team.operator) in resp.body["message"]
    assert _count(db, "audit.decision") == 1


def test_an_expired_suggestion_cannot_be_decided(db: psycopg.Connection, team: Team) -> None:
    """Past expires_at, deciding answers 400 and writes nothing; the view says expired."""
    now = db_now(db)
    late = insert_suggestion(db, team.shop, now - dt.timedelta(days=3),
                             expires_in=dt.timedelta(days=1))
    resp = rpc(db, "decide_action", {"shop_id": str(team.shop), "suggestion_id": str(late),
                                     "outcome": "approved"}, identity=team.identity("owner"))
    assert (resp.status, resp.code) == (400, "23514"), resp
    assert "expired at" in resp.body["message"]
    assert _count(db, "audit.decision") == 0
    status = db.execute("select status, outcome from api.decisions where suggestion_id = %s",
                        (late,)).fetchone()
    assert status == ("expired", None)


def test_the_expiry_job_records_unanswered_suggestions(db: psycopg.Connection,
                                                       team: Team) -> None:
    """private.expire_suggestions (the job's body) records each expired, undecided one once."""
    now = db_now(db)
    expired = insert_suggestion(db, team.shop, now - dt.timedelta(days=9))
    answered = insert_suggestion(db, team.shop, now - dt.timedelta(days=9))
    insert_decision(db, team.shop, answered, now - dt.timedelta(days=8), outcome="rejected")
    open_one = seed.suggest(db, team.shop)["suggestion_id"]
    assert db.execute("select private.expire_suggestions()").fetchone()[0] == 1
    assert db.execute("select private.expire_suggestions()").fetchone()[0] == 0
    rows = {r[0]: r[1:] for r in db.execute(
        "select d.suggestion_id, d.outcome::text, d.decided_by, d.decided_role, "
        "d.decided_at = s.expires_at from audit.decision d join audit.suggestion s "
        "using (shop_id, suggestion_id)").fetchall()}
    assert rows[expired] == ("expired", None, "system", True)
    assert rows[answered][0] == "rejected"
    assert open_one not in {str(k) for k in rows}


SUGGEST = {"kind": "reorder_sku", "subject_type": "sku", "subject_id": "SKU-1",
           "payload": {"qty": 1}, "source": "engine", "model_version": "v1"}
BAD_SUGGESTIONS = [
    ("kind", "buy_ads"), ("subject_type", "customer"), ("subject_id", "   "),
    ("payload", [1, 2]), ("source", ""), ("model_version", "x" * 201), ("score", 1.5),
    ("evidence", [{"id": 1}]), ("evidence", {"tile": "a", "id": 1}),
    ("expires_at", "2001-01-01T00:00:00Z"), ("expires_at", "2999-01-01T00:00:00Z"),
]


@pytest.mark.parametrize(("field", "value"), BAD_SUGGESTIONS,
                         ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_SUGGESTIONS)])
def test_a_bad_suggestion_is_refused_naming_the_field(db: psycopg.Connection, team: Team,
                                                      field: str, value: object) -> None:
    """400 (22023) with the field's name in the message, and nothing written."""
    args = {"shop_id": str(team.shop), **SUGGEST, field: value}
    resp = rpc(db, "suggest_action", args, identity=postgrest_standin.service_role())
    assert (resp.status, resp.code) == (400, "22023"), resp
    assert resp.body["message"].startswith(field), resp
    assert _count(db, "audit.suggestion") == 0


BAD_DECISIONS = [
    ("outcome", {"outcome": "maybe"}), ("outcome", {"outcome": "expired"}),
    ("edited_payload", {"outcome": "edited"}),
    ("edited_payload", {"outcome": "edited", "edited_payload": {"qty": 1}}),
    ("edited_payload", {"outcome": "approved", "edited_payload": {"qty": 2}}),
    ("note", {"outcome": "approved", "note": "n" * 4001}),
]


@pytest.mark.parametrize(("field", "args"), BAD_DECISIONS,
                         ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_DECISIONS)])
def test_a_bad_decision_is_refused_naming_the_field(db: psycopg.Connection, team: Team,
                                                    field: str, args: dict) -> None:
    """400 (22023) with the field's name in the message, and nothing written."""
    suggestion = seed.suggest(db, team.shop, payload={"qty": 1})["suggestion_id"]
    resp = rpc(db, "decide_action", {"shop_id": str(team.shop), "suggestion_id": suggestion,
                                     **args}, identity=team.identity("operator"))
    assert (resp.status, resp.code) == (400, "22023"), resp
    assert field in resp.body["message"], resp
    assert _count(db, "audit.decision") == 0


def test_a_blank_note_is_no_note(db: psycopg.Connection, team: Team) -> None:
    """A note of only white space is stored as no note (so '' and null never differ)."""
    suggestion = seed.suggest(db, team.shop)["suggestion_id"]
    assert seed.decide(db, team.shop, suggestion, team.owner, note=" \n\t")["note"] is None
