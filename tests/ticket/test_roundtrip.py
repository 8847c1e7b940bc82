"""Tickets, receipts and submitted answers: the models and the shipped schemas agree.

Two directions, each with at least 500 generated examples:

* model instances (the values the library produces) dump to JSON that validates against the
  shipped schema, and load back equal;
* documents generated from the shipped schema (``schema_strategies``) load into the models
  and dump back with every
  value they gave unchanged (a left-out optional field comes back as its empty default).

The schemas accept several spellings of one instant (``Z``, no seconds); the generated
documents keep to the one the converter writes, and :func:`test_other_datetime_spellings`
shows the others load to the same instant.
"""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kl_contact._convert import converter
from kl_contact.revalidation import SubmittedAnswers
from kl_contact.schemas import load_schema, violations
from kl_contact.ticket.model import (
    Attachment,
    ContactDetails,
    EngineerContact,
    Receipt,
    Ticket,
    TicketAnswer,
    TicketArticles,
    WorkflowRef,
)
from schema_strategies import from_schema

EXAMPLES = settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ------------------------------------------------------------------ model instances

ids = st.builds(
    str.__add__,
    st.sampled_from(string.ascii_lowercase),
    st.text(string.ascii_lowercase + string.digits + "_-", max_size=12),
)
texts = st.text(max_size=12)
answered_text = texts.filter(lambda t: t.strip() != "")
offsets = st.integers(-14 * 3600, 14 * 3600).map(lambda s: timezone(timedelta(seconds=s)))
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets
)
emails = st.builds(
    "{}@{}.{}".format,
    st.text(string.ascii_lowercase + string.digits + "+_-", min_size=1, max_size=12),
    st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12),
    st.sampled_from(["org", "com", "ru", "xn--p1ai"]),
)
attachments = st.builds(
    Attachment,
    name=st.text(min_size=1, max_size=30),
    media_type=st.sampled_from(["image/png", "text/plain", "application/zip"]),
    size=st.integers(0, 2**40),
    digest=st.none() | st.from_regex(r"sha256:[0-9a-f]{64}", fullmatch=True),
)
values_by_type: dict[str, st.SearchStrategy[Any]] = {
    "single_choice": ids,
    "multiple_choice": st.lists(ids, min_size=1, max_size=4, unique=True).map(tuple),
    "text": answered_text,
    "long_text": answered_text,
    "email": emails,
    "phone": st.integers(10**6, 10**15 - 1).map("+{}".format),
    "attachments": st.lists(attachments, min_size=1, max_size=3).map(tuple),
    "consent": st.just(True),
}
answers = st.sampled_from(sorted(values_by_type)).flatmap(
    lambda qtype: st.builds(
        TicketAnswer,
        question=ids,
        label=texts,
        type=st.just(qtype),
        value=values_by_type[qtype],
        display=texts,
    )
)
contacts = st.builds(
    ContactDetails,
    email=emails,
    name=st.none() | texts,
    phone=st.none() | values_by_type["phone"],
    language=st.none() | st.sampled_from(["ru", "en"]),
)
tickets = st.builds(
    Ticket,
    id=texts,
    session_id=texts,
    workflow=st.builds(WorkflowRef, id=ids, version=st.integers(1, 10**6), digest=texts),
    channel=st.sampled_from(["email", "chat", "phone"]),
    locale=st.sampled_from(["ru", "en", "en-GB"]),
    created_at=moments,
    subject=texts,
    description=texts,
    contact=contacts,
    product=st.none() | ids,
    category=st.none() | ids,
    platform=st.none() | ids,
    answers=st.lists(answers, max_size=4).map(tuple),
    attachments=st.lists(attachments, max_size=3).map(tuple),
    articles=st.builds(
        TicketArticles,
        shown=st.lists(ids, max_size=3).map(tuple),
        opened=st.lists(ids, max_size=3).map(tuple),
        not_helpful=st.lists(ids, max_size=3).map(tuple),
        escalated=st.booleans(),
    ),
)
receipts = st.builds(
    Receipt,
    request_number=st.text(max_size=100),
    channel=st.sampled_from(["email", "chat", "phone"]),
    contact=st.builds(
        EngineerContact,
        email=st.none() | emails,
        chat_url=st.none() | st.just("https://chat.example.com/r/1"),
        phone=st.none() | values_by_type["phone"],
        phone_display=st.none() | texts,
    ),
    reply_within_hours=st.none() | st.integers(0, 720),
)


loose_values = st.one_of(
    texts,
    st.booleans(),
    st.lists(texts, max_size=3).map(tuple),
    st.lists(attachments, min_size=1, max_size=2).map(tuple),
)
submitted_answers = st.builds(
    SubmittedAnswers,
    channel=texts,
    locale=texts,
    answers=st.dictionaries(ids, loose_values, max_size=5),
    workflow=st.none() | st.builds(WorkflowRef, id=ids, version=st.integers(1, 9), digest=texts),
)


def _dumps_valid_and_loads_back(value: object, schema: str) -> None:
    document = converter.unstructure(value)
    assert list(violations(schema, document)) == []
    assert converter.structure(document, type(value)) == value


@EXAMPLES
@given(tickets)
def test_ticket_instances_validate_and_load_back(ticket: Ticket) -> None:
    _dumps_valid_and_loads_back(ticket, "ticket")


@EXAMPLES
@given(receipts)
def test_receipt_instances_validate_and_load_back(receipt: Receipt) -> None:
    _dumps_valid_and_loads_back(receipt, "receipt")


@EXAMPLES
@given(submitted_answers)
def test_submitted_answers_validate_and_load_back(document: SubmittedAnswers) -> None:
    _dumps_valid_and_loads_back(document, "answers")


def test_a_moment_with_a_seconds_offset_is_written_in_utc() -> None:
    odd = timezone(timedelta(hours=2, seconds=30))  # local mean time of old tz entries
    moment = datetime(2026, 11, 25, 10, 0, tzinfo=odd)
    assert converter.unstructure(moment) == "2026-11-25T07:59:30+00:00"
    assert converter.structure(converter.unstructure(moment), datetime) == moment


# ------------------------------------------------------------------ schema documents

CANONICAL_DATETIME = {
    "type": "string",
    "pattern": (
        r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]"
        r":[0-5][0-9](\.[0-9]{5}[1-9])?(\+00:00|[+-](0[1-9]|1[0-3]):(00|30|45))(?!\n)$"
    ),
}


MODELS: dict[str, type] = {"ticket": Ticket, "receipt": Receipt, "answers": SubmittedAnswers}
"""The documents generated from their schema, and the model each loads into."""


def _relink(node: Any, rename: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: rename(value) if key == "$ref" else _relink(value, rename)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_relink(item, rename) for item in node]
    return node


def _global_ref(ref: str, home: str) -> str:
    """``X.schema.json#/$defs/K`` -> ``#/$defs/X.K``; ``X.schema.json`` -> ``#/$defs/X``;
    a local ``#/$defs/K`` inside schema ``home`` -> ``#/$defs/home.K``."""
    target, _, pointer = ref.partition("#")
    name = target.removesuffix(".schema.json") if target else home
    if not pointer:
        return f"#/$defs/{name}"
    return "#/$defs/" + name + "." + pointer.removeprefix("/$defs/")


def bundled(name: str) -> dict[str, Any]:
    """The schema with every schema it refers to copied in, for a generator that follows
    only local references; datetimes narrowed to the spelling the converter writes."""
    defs: dict[str, Any] = {}
    for other in ("common", "ticket", "receipt", "answers"):
        schema = _relink(load_schema(other), lambda ref, o=other: _global_ref(ref, o))
        for key, value in schema.pop("$defs", {}).items():
            defs[f"{other}.{key}"] = value
        defs[other] = {k: v for k, v in schema.items() if k not in {"$id", "$schema"}}
    defs["common.datetime"] = CANONICAL_DATETIME
    return {"$ref": f"#/$defs/{name}", "$defs": defs}


def _local_refs_only(node: Any) -> bool:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str) and not node["$ref"].startswith("#"):
            return False
        return all(_local_refs_only(v) for v in node.values())
    if isinstance(node, list):
        return all(_local_refs_only(v) for v in node)
    return True


def _every_object_complete(node: Any) -> Any:
    """The same schema, with every property of every object required."""
    if isinstance(node, dict):
        out = {key: _every_object_complete(value) for key, value in node.items()}
        if isinstance(node.get("properties"), dict) and node.get("type") == "object":
            out["required"] = sorted(node["properties"])
        return out
    if isinstance(node, list):
        return [_every_object_complete(item) for item in node]
    return node


def _empty(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    return value is None or value is False or value == []


def _given_values_kept(dumped: Any, given: Any) -> None:
    if isinstance(given, dict):
        assert isinstance(dumped, dict)
        for key, value in given.items():
            _given_values_kept(dumped[key], value)
        for key in dumped.keys() - given.keys():
            assert _empty(dumped[key]), key  # a left-out optional field: its empty default
    elif isinstance(given, list):
        assert isinstance(dumped, list)
        assert len(dumped) == len(given)
        for left, right in zip(dumped, given, strict=True):
            _given_values_kept(left, right)
    else:
        assert dumped == given
        assert type(dumped) is type(given)


def test_the_bundled_schemas_keep_to_local_references() -> None:
    for name in MODELS:
        assert _local_refs_only(bundled(name))
        assert bundled(name)["$defs"]["common.datetime"] == CANONICAL_DATETIME
    receipt = bundled("receipt")["$defs"]["receipt"]["properties"]
    assert receipt["contact"] == {"$ref": "#/$defs/receipt.contact"}
    answers = bundled("answers")["$defs"]["answers"]["properties"]
    assert answers["articles"] == {"$ref": "#/$defs/ticket.articles"}


DOCUMENTS = {name: from_schema(bundled(name)) for name in MODELS}
COMPLETE_DOCUMENTS = {name: from_schema(_every_object_complete(bundled(name))) for name in MODELS}


@pytest.mark.parametrize("schema", sorted(MODELS))
@EXAMPLES
@given(data=st.data())
def test_documents_load_and_dump_back(schema: str, data: st.DataObject) -> None:
    """Any document the schema accepts loads; every value it gave is dumped back."""
    document = data.draw(DOCUMENTS[schema])
    assert list(violations(schema, document)) == []  # generated by the real schema's rules
    dumped = converter.unstructure(converter.structure(document, MODELS[schema]))
    _given_values_kept(dumped, document)
    assert list(violations(schema, dumped)) == []


@pytest.mark.parametrize("schema", sorted(MODELS))
@EXAMPLES
@given(data=st.data())
def test_complete_documents_dump_back_unchanged(schema: str, data: st.DataObject) -> None:
    """A document that spells out every field comes back exactly as it was."""
    document = data.draw(COMPLETE_DOCUMENTS[schema])
    assert list(violations(schema, document)) == []
    assert converter.unstructure(converter.structure(document, MODELS[schema])) == document


def test_other_datetime_spellings() -> None:
    same = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
    for spelling in ("2026-11-25T10:30Z", "2026-11-25T10:30:00Z", "2026-11-25T13:30:00+03:00"):
        assert converter.structure(spelling, datetime) == same
