"""`flask demo load` gives a world whose history verifies, anchored and published like the scheduler would."""
from __future__ import annotations

import json


def test_demo_load_anchors_its_history_and_everything_verifies(app, anchor_file):
    runner = app.test_cli_runner()
    loaded = runner.invoke(args=["demo", "load", "--dossiers", "6"])
    assert loaded.exit_code == 0, loaded.output
    [record] = [json.loads(line) for line in anchor_file.read_text().splitlines()]
    assert record["chains"] >= 1
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    again = runner.invoke(args=["demo", "load", "--dossiers", "6"])
    assert again.exit_code == 0 and "anchors +0" in again.output
