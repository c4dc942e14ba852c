"""Signed results carry a trusted time (PAdES B-T) from an RFC 3161 time-stamping authority: the local sandbox TSA
(tools/sandboxes/tsa.py) as its own process, reached by pyHanko's HTTP client, its root trusted like a real TSA's."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
import requests
from asn1crypto import core, tsp

from app.documents import services, signing
from app.documents.render import html_to_pdf
from tests.sandboxes import Sandbox

PERMIT = "1.014199"


class _AnySequence(core.SequenceOf):
    _child_spec = core.Any


@pytest.fixture(scope="module")
def tsa(tmp_path_factory):
    box = Sandbox("tsa", args=["--state-dir", str(tmp_path_factory.mktemp("tsa"))]).start()
    yield box
    box.stop()


@pytest.fixture
def trusted_tsa(app, tsa, monkeypatch):
    """The application uses the sandbox TSA and trusts its root (what `make run` sets up)."""
    monkeypatch.setitem(app.config, "TSA_URL", f"{tsa.url}/tsa")
    monkeypatch.setitem(app.config, "TSA_TIMEOUT", 5)
    root = signing.pki_dir() / "trust" / "test-tsa.cert.pem"
    root.write_bytes(requests.get(f"{tsa.url}/ca.pem", timeout=5).content)
    yield tsa
    root.unlink()


def test_a_signature_made_with_the_tsa_carries_its_trusted_time(app, trusted_tsa):
    before = dt.datetime.now(dt.UTC)
    signed, _signer = signing.sign_pdf(html_to_pdf("<p>Giấy phép</p>"), "H38.SNV", "Sở Nội vụ tỉnh Thanh Hóa")
    [check] = signing.check_signatures(signed)
    assert check.ok and check.timestamp is not None and not check.timestamp_untrusted
    assert before - dt.timedelta(seconds=5) <= check.timestamp <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)


def test_a_timestamp_from_an_untrusted_tsa_is_reported_not_believed(app, tsa, monkeypatch):
    monkeypatch.setitem(app.config, "TSA_URL", f"{tsa.url}/tsa")  # its root is not in the trust folder
    signed, _signer = signing.sign_pdf(html_to_pdf("<p>Giấy phép</p>"), "H38.SNV", "Sở Nội vụ tỉnh Thanh Hóa")
    [check] = signing.check_signatures(signed)
    assert check.ok  # the agency's signature itself is fine
    assert check.timestamp is None and check.timestamp_untrusted


def test_without_a_tsa_the_signature_has_no_timestamp(app):
    signed, _signer = signing.sign_pdf(html_to_pdf("<p>Giấy phép</p>"), "H38.SNV", "Sở Nội vụ tỉnh Thanh Hóa")
    [check] = signing.check_signatures(signed)
    assert check.ok and check.timestamp is None and not check.timestamp_untrusted


def test_the_verify_page_shows_the_trusted_time(app, client, trusted_tsa):
    import io

    signed, _signer = signing.sign_pdf(html_to_pdf("<p>Giấy phép</p>"), "H38.SNV", "Sở Nội vụ tỉnh Thanh Hóa")
    page = client.post("/xac-thuc", data={"file": (io.BytesIO(signed), "ket-qua.pdf")},
                       content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Dấu thời gian của tổ chức" in html and "đáng tin cậy" in html


def test_a_result_is_not_issued_while_the_tsa_is_down_and_is_issued_once_it_is_back(
        app, desk, rendered, trusted_tsa):
    """At the real time (no clock travel: the TSA process stamps the real time, and validation checks the
    certificates at the stamped time)."""
    dossier = desk.receive(PERMIT).dossier
    for kind in ("appraisal", "approval", "stamping"):
        desk.complete(dossier, kind)
    trusted_tsa.stop()
    try:
        rendered()
        result = next(d for d in services.list_documents(dossier.id) if d.kind == "result")
        assert not result.is_ready and result.status == "pending" and "Timestamp" in (result.last_error or "")
    finally:
        trusted_tsa.start()
    rendered()
    result = next(d for d in services.list_documents(dossier.id) if d.kind == "result")
    assert result.is_ready
    [check] = signing.check_signatures(services.document_bytes(result))
    assert check.ok and check.timestamp is not None


class TestProtocol:
    def test_a_malformed_request_gets_an_rfc3161_rejection(self, tsa):
        reply = requests.post(f"{tsa.url}/tsa", data=b"\x30\x03not der",
                              headers={"Content-Type": "application/timestamp-query"}, timeout=5)
        assert reply.headers["Content-Type"] == "application/timestamp-reply"
        members = _AnySequence.load(reply.content)  # asn1crypto's TimeStampResp insists on a token
        assert len(members) == 1  # the status alone, no token
        status = tsp.PKIStatusInfo.load(members[0].dump()).native
        assert status["status"] == "rejection" and status["fail_info"] == {"bad_data_format"}

    def test_the_wrong_content_type_is_refused(self, tsa):
        reply = requests.post(f"{tsa.url}/tsa", data=b"x", headers={"Content-Type": "text/plain"}, timeout=5)
        assert reply.status_code == 415


def test_the_sandbox_keeps_its_keys_across_restarts(tmp_path):
    state = tmp_path / "tsa"
    first = Sandbox("tsa", args=["--state-dir", str(state)]).start()
    try:
        root = requests.get(f"{first.url}/ca.pem", timeout=5).content
    finally:
        first.stop()
    second = Sandbox("tsa", args=["--state-dir", str(state), "--publish-ca", str(tmp_path / "trust" / "t.pem")]).start()
    try:
        assert requests.get(f"{second.url}/ca.pem", timeout=5).content == root
        assert (tmp_path / "trust" / "t.pem").read_bytes() == root
    finally:
        second.stop()
        shutil.rmtree(state)


def test_signing_and_checking_work_inside_a_running_event_loop(app):
    """A worker thread that also drives an async library (Playwright's sync API does) has a running loop: pyHanko's
    sync wrappers (asyncio.run) would refuse; the signature is made and checked all the same."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    pdf = html_to_pdf("<p>Giấy phép</p>")

    async def inside():
        signed, _signer = signing.sign_pdf(pdf, "H38.SNV", "Sở Nội vụ tỉnh Thanh Hóa")
        return signing.check_signatures(signed)

    def in_a_fresh_thread():  # its own loop, whatever this test process's main thread has running
        with app.app_context():
            return asyncio.run(inside())

    with ThreadPoolExecutor(max_workers=1) as pool:
        [check] = pool.submit(in_a_fresh_thread).result()
    assert check.ok
