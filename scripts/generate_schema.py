"""Write schema/procedure-v1.schema.json from the model (tests/test_schema.py keeps it in sync)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from eiso.documents.model import json_schema  # noqa: E402

TARGET = Path(__file__).resolve().parent.parent / "schema" / "procedure-v1.schema.json"


def render() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
