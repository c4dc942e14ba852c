"""Update app/translations/en from the sources and print the messages still lacking an English text.

Usage: python tools/i18n_fill.py [translations.json]
The optional JSON file maps Vietnamese msgids to English texts to add to the catalog.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "app/translations/en/LC_MESSAGES/messages.po"
POT = ROOT / "instance/messages.pot"


def main() -> None:
    POT.parent.mkdir(exist_ok=True)
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg",  # noqa: S603
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(POT), "."], cwd=ROOT, check=False,
                   capture_output=True)
    with POT.open("rb") as fh:
        template = read_po(fh)
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    catalog.update(template, no_fuzzy_matching=True)
    extra = json.loads(Path(sys.argv[1]).read_text()) if len(sys.argv) > 1 else {}
    for message in catalog:
        if message.id and message.id in extra:
            message.string = extra[message.id]
            message.flags.discard("fuzzy")
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(json.dumps({m: "" for m in missing}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
