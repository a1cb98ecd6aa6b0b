"""Write schemas/record.schema.json from the exchange-format models in kg/model.py.

Run after changing kg/model.py; tests/test_corpora.py checks the file is up to date.
"""

from __future__ import annotations

import json
from pathlib import Path

from kg.model import Record

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "record.schema.json"
HEAD = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://w3id.org/kg/schema/record.json",
}


def schema_text() -> str:
    """The JSON Schema of one exchange-format line, as the file holds it."""
    return json.dumps({**HEAD, **Record.model_json_schema()}, indent=1) + "\n"


if __name__ == "__main__":
    SCHEMA.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA}")
