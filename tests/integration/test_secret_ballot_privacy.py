"""A secret ballot: once closed, nothing stored, said, exported or logged ties a voter to a choice.

The choices are made distinguishable: in the secret ballot exactly one member, the uniquely named
"quxley", votes NO; everyone else votes YES. Then every output of the whole flow is searched for a
line where that name stands next to a NO. A roll-call (open) ballot in the same council, where "bob"
alone votes NO, is the control: there the search must find bob next to his NO, or it finds nothing.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re

import pytest
from docx import Document as DocxDocument
from pypdf import PdfReader
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text

from bot.desk import minutes as minutes_service
from bot.i18n import LOCALES, translate
from storage.models import VoteRow

from .desk_helpers import council_of, press, say

pytestmark = pytest.mark.asyncio

SECRET_NO = "quxley"  # the one NO in the secret ballot
OPEN_NO = "bob"  # the one NO in the roll-call ballot (the control)
_NO_WORDS = sorted(
    {translate(loc, key) for loc in LOCALES for key in ("choice.no", "minutes.choice.no")} | {"no", "against"},
    key=len,
    reverse=True,
)
NO = re.compile("|".join(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])" for w in _NO_WORDS), re.IGNORECASE)


NEAR = 40  # characters: a roll call puts a name and its choice within a few characters on one line


def _lines_linking(name: str, texts: list[tuple[str, str]]) -> list[str]:
    """Every place (of every text) where `name` stands next to a NO: on one line, within NEAR characters."""
    found = []
    pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", re.IGNORECASE)
    for where, blob in texts:
        for line in blob.splitlines():
            for hit in pattern.finditer(line):
                near = line[max(0, hit.start() - NEAR) : hit.end() + NEAR]
                if NO.search(near):
                    found.append(f"{where}: …{near}…")
    return found


def _document_text(filename: str, content: bytes) -> str:
    if filename.endswith(".docx"):
        doc = DocxDocument(io.BytesIO(content))
        lines = [p.text for p in doc.paragraphs]
        for table in doc.tables:
            lines += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
        return "\n".join(lines)
    if filename.endswith(".pdf"):
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    if filename.endswith(".csv"):
        return "\n".join(" | ".join(row) for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    if filename.endswith(".json"):
        return _json_lines(json.loads(content))
    return content.decode("utf-8")


def _json_lines(value, path: str = "") -> str:
    """A JSON document as lines, one per object, so a record holding a name and a choice is one line."""
    if isinstance(value, dict):
        own = " ".join(f"{k}={v}" for k, v in value.items() if not isinstance(v, (dict, list)))
        nested = "\n".join(_json_lines(v, f"{path}.{k}") for k, v in value.items() if isinstance(v, (dict, list)))
        return own + "\n" + nested
    if isinstance(value, list):
        return "\n".join(_json_lines(v, path) for v in value)
    return str(value)


def _response_texts(label: str, response) -> list[tuple[str, str]]:
    texts = [(f"{label} reply", (r.title or "") + "\n" + r.text) for r in response.replies]
    texts += [(f"{label} edit", (e.title or "") + "\n" + e.text) for e in response.edits]
    texts += [(f"{label} button", b.label) for r in response.replies for row in r.buttons for b in row]
    if response.popup:
        texts.append((f"{label} popup", response.popup))
    texts += [(f"{label} file {d.filename}", _document_text(d.filename, d.content)) for d in response.documents]
    return texts


async def _database_rows(app) -> list[tuple[str, str]]:
    """Every row of every table, as text (to find a stored name-choice link anywhere)."""
    async with app.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: sa_inspect(sync).get_table_names())
        rows = []
        for table in tables:
            for row in (await conn.execute(text(f'SELECT * FROM "{table}"'))).all():
                rows.append((f"table {table}", " | ".join(str(v) for v in row)))
    return rows


async def test_secret_ballot_reveals_no_choice(app, clock, caplog):
    caplog.set_level(logging.DEBUG)
    desk, said = app.dispatcher, []

    async def run(who, line, *, data=None):
        response = await (press(desk, who, data) if data else say(desk, who, line))
        said.extend(_response_texts(f"{who} {line or data}", response))
        assert not response.refused, (who, line or data, [r.text for r in response.replies], response.popup)
        return response

    await run("chair", "/setup nantang")
    await run("chair", "/set quiet 0")  # the question is put right after a speech
    for name, unit in (("alice", "1-101"), ("bob", "1-102"), ("carol", "1-201"), (SECRET_NO, "1-301")):
        await run(name, f"/join {unit}")
    await run("chair", "/meeting 业主议事会")
    await run("alice", "/motion 在1号楼安装感应灯")
    await run("bob", "/second 1")
    await run("carol", "/for 1 楼道太黑")
    opened = await run("chair", "/vote 1 10m 无记名")
    ballot_id = int(opened.replies[0].subject.split(":")[1])
    await run("alice", None, data=f"v:{ballot_id}:y")
    # typed in the group, a secret vote is refused and withdrawn: nothing recorded, the buttons pointed to
    typed = await say(desk, "bob", "/yes 1")
    said.extend(_response_texts("bob /yes 1", typed))
    assert typed.refused and typed.refusal == "error.secret_vote_typed" and typed.withdraw
    assert [r.private for r in typed.replies] == [True] and not typed.quiet and not typed.edits
    async with desk.uow() as uow:
        assert len(await uow.votes.voters(ballot_id)) == 1  # alice only
    await run("bob", None, data=f"v:{ballot_id}:y")
    await run("carol", None, data=f"v:{ballot_id}:n")
    await run("carol", None, data=f"v:{ballot_id}:y")  # changed her mind: the secret survives changes too
    closing = await run(SECRET_NO, None, data=f"v:{ballot_id}:n")
    assert any(r.subject and r.subject.startswith("result:") for r in closing.replies)  # the last vote closed it

    # the control: a roll-call ballot where bob alone says no
    await run("alice", "/motion 增设快递柜")
    await run("carol", "/second 2")
    await run("chair", "/vote 2 10m")
    await run("alice", "/yes 2")
    await run(OPEN_NO, "/no 2")
    await run("chair", "/close 2")
    await run("chair", "/adjourn")

    for line in ("/show 1", "/show 2", "/status", "/minutes", "/minutes all", "/publish all", "/verify"):
        await run("chair", line)
    council = await council_of(desk)
    minutes = []
    for fmt in ("md", "docx", "pdf", "csv", "json"):
        for scope in (None, "all", "meeting"):
            async with app.dispatcher.uow() as uow:
                filename, content = await minutes_service.export(uow, council.id, fmt, scope, now=clock())
            minutes.append((f"export {filename}", _document_text(filename, content)))
        response = await run("chair", f"/export {fmt} all")
        assert response.documents

    # the stored link is gone: turnout kept, choices and times destroyed
    async with desk.uow() as uow:
        votes = (
            await uow.session.execute(
                select(VoteRow.voter, VoteRow.choice, VoteRow.cast_at).where(VoteRow.ballot_id == ballot_id)
            )
        ).all()
        events = await uow.events.all(council.id)
        quxley = await uow.members.find(council.id, SECRET_NO)
    assert len(votes) == 4
    assert all(choice is None and cast_at is None for _voter, choice, cast_at in votes), votes
    for event in events:
        if event.type == "vote.cast" and event.payload["ballot"] == ballot_id:
            assert set(event.payload) == {"number", "ballot", "name"}, event.payload
    event_texts = [(f"event {e.seq} {e.type}", json.dumps(e.payload, ensure_ascii=False)) for e in events]
    logs = [(f"log {r.name}", r.getMessage()) for r in caplog.records]
    everything = said + minutes + event_texts + logs + await _database_rows(app)

    assert _lines_linking(SECRET_NO, everything) == []
    # the voter key of a stored vote ("m<id>") must not meet a NO anywhere either (a log of SQL parameters would)
    assert _lines_linking(f"m{quxley.id}", everything) == []
    # the control: the search does find a roll-call NO, in the messages and in every kind of minutes
    assert _lines_linking(OPEN_NO, said), "the control: bob's roll-call NO should be found in messages"
    for fmt in ("md", "docx", "csv", "json"):
        assert _lines_linking(OPEN_NO, [m for m in minutes if m[0].endswith(f".{fmt}")]), f"control in {fmt}"
