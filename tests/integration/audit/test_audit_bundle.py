"""Case-history bundles verify with the standalone script, and stop verifying when anything in them changes."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app.audit.export import write_bundle
from app.audit.services import list_events
from app.history.chain import event_hash

TOOL = Path(__file__).resolve().parents[3] / "tools" / "verify_bundle.py"


def run_tool(bundle: Path) -> subprocess.CompletedProcess:
    """Run the verifier as a third party would: isolated interpreter, no site-packages, no app on the path."""
    return subprocess.run([sys.executable, "-I", "-S", str(TOOL), str(bundle)], capture_output=True, text=True,
                          timeout=60, cwd="/")


def rewrite(bundle: Path, name: str, edit) -> None:
    with zipfile.ZipFile(bundle) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    files[name] = edit(files[name])
    with zipfile.ZipFile(bundle, "w") as archive:
        for n, content in files.items():
            archive.writestr(n, content)


def edit_case(change):
    def edit(content: bytes) -> bytes:
        case = json.loads(content)
        change(case)
        return json.dumps(case, ensure_ascii=False).encode("utf-8")

    return edit


@pytest.fixture
def bundle(desk, clock, tmp_path):
    clock("2026-03-02 08:00")
    dossier = desk.receive("1.014199").dossier
    desk.run_to_end(dossier)
    return write_bundle(dossier, tmp_path)


class TestBundle:
    def test_bundle_holds_events_model_and_summaries(self, bundle):
        names = set(zipfile.ZipFile(bundle).namelist())
        assert {"case.json", "model.bpmn", "summary.html", "summary.pdf"} <= names
        case = json.loads(zipfile.ZipFile(bundle).read("case.json"))
        assert case["chain_head"]["seq"] == len(case["events"]) and case["model"]["file"] == "model.bpmn"
        assert zipfile.ZipFile(bundle).read("summary.pdf").startswith(b"%PDF")

    def test_the_standalone_script_verifies_an_exported_bundle(self, bundle):
        result = run_tool(bundle)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith("OK ") and "events" in result.stdout

    def test_the_script_hashes_exactly_like_the_application(self, bundle, desk):
        spec = importlib.util.spec_from_file_location("verify_bundle", TOOL)
        tool = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(tool)
        case = json.loads(zipfile.ZipFile(bundle).read("case.json"))
        assert [tool.event_hash(e) for e in case["events"]] == [e["hash"] for e in case["events"]]
        from app.dossiers.services import get_dossier

        events = list_events(get_dossier(case["dossier"]["code"]).id)
        assert [event_hash(e.chain_fields()) for e in events] == [e["hash"] for e in case["events"]]


class TestAlteredBundle:
    @pytest.mark.parametrize(("change", "expected"), [
        (lambda c: c["events"][2]["data"]["input"].update(opinion="Sửa"), "event #3 was edited"),
        (lambda c: c["events"][1].update(actor_name="Người khác"), "event #2 was edited"),
        (lambda c: c["events"].pop(3), "event #4 was deleted"),
        (lambda c: c["events"].pop(), "were deleted"),
        (lambda c: c["events"].__setitem__(slice(2, 4), [dict(c["events"][3], seq=3), dict(c["events"][2], seq=4)]),
         "event #3 was reordered"),
        (lambda c: c["chain_head"].update(hash="0" * 64), "differs from the chain head"),
    ], ids=["data", "actor", "middle-deleted", "tail-deleted", "reordered", "head"])
    def test_an_altered_case_file_is_reported(self, bundle, change, expected):
        rewrite(bundle, "case.json", edit_case(change))
        result = run_tool(bundle)
        assert result.returncode == 1 and expected in result.stdout, result.stdout

    def test_an_altered_model_is_reported(self, bundle):
        rewrite(bundle, "model.bpmn", lambda xml: xml.replace(b"</bpmn:definitions>", b"<!-- --></bpmn:definitions>"))
        result = run_tool(bundle)
        assert result.returncode == 1 and "model.bpmn was altered" in result.stdout

    def test_an_altered_summary_is_reported(self, bundle):
        rewrite(bundle, "summary.html", lambda html: html.replace(b"</body>", b"<p>x</p></body>"))
        assert "summary.html was altered" in run_tool(bundle).stdout

    def test_an_unreadable_bundle_exits_with_2(self, tmp_path):
        junk = tmp_path / "junk.zip"
        junk.write_bytes(b"not a zip")
        assert run_tool(junk).returncode == 2


class TestSummaryPdf:
    """The printable summary is a legal record: Vietnamese words, dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh (issue 14)."""

    def _text(self, bundle) -> str:
        import io

        from pypdf import PdfReader

        pdf = PdfReader(io.BytesIO(zipfile.ZipFile(bundle).read("summary.pdf")))
        return " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)

    def test_times_are_local_and_day_first(self, bundle):
        text = self._text(bundle)
        assert "Xuất lúc Exported 02/03/2026 08:00" in text  # exported at 08:00 in Hanoi, 01:00 UTC
        assert "Ngày tiếp nhận Received 02/03/2026 08:00" in text
        assert "2026-03-02" not in text and "T01:00" not in text  # no UTC ISO instants left

    def test_statuses_and_events_are_in_vietnamese(self, bundle):
        text = self._text(bundle)
        assert "Trạng thái Status Đã trả kết quả" in text
        assert "Tiếp nhận hồ sơ" in text and "Hoàn thành bước" in text
        assert " task_completed " not in f" {text} "
