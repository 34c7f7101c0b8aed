"""Write the JSON Schemas from the models (tests/test_schema.py keeps them in sync).

schema/procedure-v1.schema.json: a controlled document's front matter;
schema/record-v1.schema.json: a QMS record's front matter (nonconformity, audit, management review).
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from eiso.documents.model import json_schema  # noqa: E402
from eiso.records.model import json_schema as record_json_schema  # noqa: E402

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
TARGET = SCHEMA_DIR / "procedure-v1.schema.json"
RECORD_TARGET = SCHEMA_DIR / "record-v1.schema.json"


def _dump(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def render() -> str:
    return _dump(json_schema())


def render_records() -> str:
    return _dump(record_json_schema())


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    RECORD_TARGET.write_text(render_records(), encoding="utf-8")
    print(f"wrote {TARGET} and {RECORD_TARGET}")
