"""The documented Shopify webhook samples in tests/fixtures/shopify_webhooks are sound.

No database: this only checks the fixture files themselves. Every file parses as JSON,
every topic in pii_fields.json has its file (and every file its topic), and every
personal-data path listed for a topic resolves in that topic's sample, so a redaction
tested against the list has something real to reach. A path resolves when each step
exists: "$.a.b" needs key "a", then key "b"; "$.a[*].b" needs "a" to be a non-empty list
whose every element has "b". The value at the end may be null (the samples leave
browser_ip, client_details, phone and note null; real deliveries fill them).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "shopify_webhooks"
PII = json.loads((FIXTURES / "pii_fields.json").read_text(encoding="utf-8"))
SAMPLES = sorted(p for p in FIXTURES.glob("*.json") if p.name != "pii_fields.json")
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\*|\d+)\]")


def _file(topic: str) -> Path:
    return FIXTURES / (topic.replace("/", "__") + ".json")


def _load(path: Path) -> Any:  # noqa: ANN401 - any JSON document
    return json.loads(path.read_text(encoding="utf-8"))


def resolve(document: Any, path: str) -> list[Any]:  # noqa: ANN401 - any JSON document
    """The values at a "$.a.b[*].c" path; raises LookupError where a step does not exist."""
    if not path.startswith("$"):
        raise ValueError(f"{path}: a path starts with $")
    rest, nodes = path[1:], [document]
    while rest:
        step = _STEP.match(rest)
        if step is None:
            raise ValueError(f"{path}: cannot read {rest!r}")
        key, index = step.groups()
        found: list[Any] = []
        for node in nodes:
            if key is not None:
                if not isinstance(node, dict) or key not in node:
                    raise LookupError(f"{path}: no key {key!r}")
                found.append(node[key])
            elif index == "*":
                if not isinstance(node, list) or not node:
                    raise LookupError(f"{path}: [*] needs a non-empty list")
                found.extend(node)
            else:
                if not isinstance(node, list) or int(index) >= len(node):
                    raise LookupError(f"{path}: no element [{index}]")
                found.append(node[int(index)])
        nodes, rest = found, rest[step.end():]
    return nodes


def test_resolver_reads_keys_stars_and_indexes() -> None:
    """The path resolver follows keys, [*] and [n], and refuses steps that do not exist."""
    doc = {"a": [{"b": 1}, {"b": None}], "c": {"d": "x"}}
    assert resolve(doc, "$.a[*].b") == [1, None]
    assert resolve(doc, "$.a[1].b") == [None]
    assert resolve(doc, "$.c.d") == ["x"]
    assert resolve(doc, "$") == [doc]
    for missing in ("$.a[*].z", "$.c.d.e", "$.z", "$.a[5]", "$.c[*]"):
        with pytest.raises(LookupError):
            resolve(doc, missing)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_parses_as_a_json_object(path: Path) -> None:
    """Each documented sample is one JSON object."""
    assert isinstance(_load(path), dict)


def test_every_listed_topic_has_a_file_and_every_file_a_topic() -> None:
    """pii_fields.json and the sample files name the same topics."""
    assert SAMPLES, "no fixture files"
    assert all(isinstance(paths, list) for paths in PII.values())
    missing = [topic for topic in PII if not _file(topic).is_file()]
    assert not missing, f"topics without a fixture file: {missing}"
    unlisted = sorted({p.name for p in SAMPLES} - {_file(topic).name for topic in PII})
    assert not unlisted, f"fixture files not named in pii_fields.json: {unlisted}"


@pytest.mark.parametrize("topic", sorted(PII))
def test_every_pii_path_resolves_in_its_sample(topic: str) -> None:
    """Every listed personal-data path exists in its topic's sample."""
    sample = _load(_file(topic))
    assert len(PII[topic]) == len(set(PII[topic])), "a path is listed twice"
    unresolved = []
    for path in PII[topic]:
        try:
            resolve(sample, path)
        except LookupError as exc:
            unresolved.append(str(exc))
    assert not unresolved, unresolved


def test_samples_keep_the_documented_quirks() -> None:
    """The quirks these fixtures exist for are still in them (nobody "fixed" a sample)."""
    order = _load(_file("orders/create"))
    assert order["id"] == 820982911946154508
    assert order["id"] > 2**53
    assert order["customer"]["created_at"] is None
    assert order["customer"]["updated_at"] is None
    shop = _load(_file("shop/update"))
    assert shop["created_at"] is None
    assert shop["updated_at"] is None
    assert _load(_file("products/create"))["created_at"] is None
    refund = _load(_file("refunds/create"))
    tax = refund["refund_line_items"][0]["total_tax"]
    assert isinstance(tax, float)
    assert tax == 0.0
    assert refund["refund_line_items"][0]["subtotal"] == 89.99  # a number, unlike "89.99"
