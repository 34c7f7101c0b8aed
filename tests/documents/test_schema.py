"""The published JSON Schema is the model's, and it accepts what the loader accepts."""

import json
import sys

import jsonschema
import yaml
from factory import REPO, system_meta, tthc_meta

sys.path.insert(0, str(REPO / "scripts"))
import generate_schema  # noqa: E402

SCHEMA_FILE = REPO / "schema" / "procedure-v1.schema.json"


def test_schema_file_is_in_sync_with_the_model():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == generate_schema.render(), (
        "schema/procedure-v1.schema.json is stale: run scripts/generate_schema.py")


def test_schema_accepts_valid_and_rejects_invalid_front_matter():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    # Round-trip through YAML text, as an editor sees the file (dates become strings in JSON).
    valid = json.loads(json.dumps(yaml.safe_load(yaml.safe_dump(tthc_meta())), default=str))
    assert list(validator.iter_errors(valid)) == []
    for broken in (system_meta(kind="quy-trinh"), system_meta(revision=0), {**tthc_meta(), "titel": "x"}):
        assert list(validator.iter_errors(json.loads(json.dumps(broken, default=str))))
    effective_without_approver = system_meta()
    del effective_without_approver["approved_by"]
    assert list(validator.iter_errors(effective_without_approver))
    tthc_without_tthc = tthc_meta()
    del tthc_without_tthc["tthc"]
    assert list(validator.iter_errors(json.loads(json.dumps(tthc_without_tthc, default=str))))


def test_schema_describes_fields_in_vietnamese():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["properties"]["revision"]["description"] == "Lần ban hành"
