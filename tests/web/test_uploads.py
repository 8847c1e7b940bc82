"""Uploading a file to the host: kept by digest for its session, bounded, never for a stranger."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from web.conftest import OFFICE_HOURS, need_module
from web.walks import FlaskApi

need_module("flask")

from kl_contact_web import followup  # noqa: E402
from kl_contact_web.app import create_app  # noqa: E402
from kl_contact_web.host import Host  # noqa: E402
from kl_contact_web.settings import Settings  # noqa: E402


@pytest.fixture
def host(tmp_path: Path) -> Host:
    url = f"sqlite:///{tmp_path / 'contact.sqlite3'}"
    return Host(Settings(database_url=url, fixed_time=OFFICE_HOURS))


@pytest.fixture
def api(host: Host) -> FlaskApi:
    return FlaskApi(create_app(host=host))


def post(api: FlaskApi, session: str, name: str | None, content: bytes) -> tuple[int, dict]:  # type: ignore[type-arg]
    query = "" if name is None else f"?name={name}"
    reply = api.client.post(
        f"/api/sessions/{session}/files{query}", data=content, headers={"Content-Type": "image/png"}
    )
    return reply.status_code, reply.get_json()


def test_a_file_is_kept_for_its_session_by_digest(api: FlaskApi, host: Host) -> None:
    session = api.post("/api/sessions", {})[1]["session_id"]
    content = bytes(range(256)) * 3
    status, attachment = post(api, session, "shot.png", content)
    assert status == 201
    digest = "sha256:" + hashlib.sha256(content).hexdigest()
    assert attachment == {
        "name": "shot.png",
        "media_type": "image/png",
        "size": 768,
        "digest": digest,
    }
    kept = host.storage.file(session, digest)
    assert kept is not None
    assert kept.content == content
    other = api.post("/api/sessions", {})[1]["session_id"]
    assert host.storage.file(other, digest) is None  # another session cannot name it


def test_uploads_are_bounded_and_need_a_session_and_a_name(
    api: FlaskApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = api.post("/api/sessions", {})[1]["session_id"]
    assert post(api, "nobody", "a.png", b"x")[0] == 404
    assert post(api, session, None, b"x")[1]["error"]["code"] == "request.invalid"
    assert post(api, session, "a%0Ab.png", b"x")[0] == 400  # a control character in the name
    monkeypatch.setattr(followup, "MAX_UPLOAD", 8)
    assert post(api, session, "big.png", b"123456789")[1]["error"]["code"] == "file.too_large"
    monkeypatch.setattr(followup, "MAX_FILES", 2)
    assert [post(api, session, f"{n}.png", bytes([n]))[0] for n in range(3)] == [201, 201, 413]
