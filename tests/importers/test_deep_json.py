"""Deeply nested JSON (attacker's review H6): one record nested 100,000 levels is a located finding for
that record, never a RecursionError that stops ``import tthc``, ``sync tthc`` or ``legal-impact`` half-way."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import run_eiso
from factory import make_repo

from eiso.boundedjson import MAX_DEPTH, JsonTooDeep, loads
from eiso.importers.manifest import MANIFEST_NAME

DEEP_LIST = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000


def record(code: str, **changes) -> dict:
    """A hand-written record in the shape of the national corpus."""
    base = {
        "code": code, "name": f"Thủ tục thử {code}", "decision": "1234/QĐ-BTP", "level": "Cấp xã",
        "type": "TTHC", "field": "Hộ tịch", "applicants": "Công dân Việt Nam", "agency": "Ủy ban nhân dân cấp xã",
        "steps_text": "Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả.", "result": "Giấy khai sinh",
        "channels": [{"channel": "Trực tiếp", "time_text": "5 Ngày làm việc",
                      "time": {"value": 5.0, "unit": "working_days"}, "fee_and_notes": "Miễn phí"}],
        "dossier": [{"name": "Tờ khai", "forms": [], "originals": 1, "copies": 0}],
        "legal_basis": [{"title": "Luật Hộ tịch", "code": "60/2014/QH13"}],
    }
    base.update(changes)
    return base


def line(item: dict) -> str:
    return json.dumps(item, ensure_ascii=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@x", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "start"], cwd=root, check=True)
    return root


@pytest.fixture
def deep_file(repo: Path) -> Path:
    """Two good records, a deep list line, a good record whose field is nested too deep, a good record."""
    nested = record("9.000003")
    nested["channels"] = json.loads("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5))
    text = "\n".join([line(record("9.000001")), line(record("9.000002")), DEEP_LIST, line(nested), DEEP_OBJECT,
                      line(record("9.000004"))])
    source = repo / "deep.jsonl"
    source.write_text(text + "\n", encoding="utf-8")
    return source


def assert_no_crash(result: subprocess.CompletedProcess) -> None:
    both = result.stdout + result.stderr
    assert "RecursionError" not in both and "lỗi không mong đợi" not in both and "Traceback" not in both, both


def test_import_reports_the_deep_lines_and_imports_the_others(repo: Path, deep_file: Path) -> None:
    result = run_eiso("import", "tthc", str(deep_file), "--out", "procedures/qg", cwd=repo)
    assert_no_crash(result)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"deep.jsonl, dòng 3: JSON lồng quá sâu (quá {MAX_DEPTH} cấp), từ cột {MAX_DEPTH + 1}" in out
    assert "deep.jsonl, dòng 4: JSON lồng quá sâu" in out
    assert f"deep.jsonl, dòng 5: JSON lồng quá sâu (quá {MAX_DEPTH} cấp), từ cột {5 * MAX_DEPTH + 1}" in out
    written = sorted(p.name for p in (repo / "procedures" / "qg").rglob("*.md"))
    assert written == ["qt-tthc-9-000001.md", "qt-tthc-9-000002.md", "qt-tthc-9-000004.md"]
    manifest = json.loads((repo / "procedures" / "qg" / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert sorted(Path(rel).name for rel in manifest["files"]) == written  # nothing half-imported
    assert run_eiso("check", cwd=repo).returncode == 0


def test_sync_reports_the_deep_lines_and_compares_the_others(repo: Path, deep_file: Path) -> None:
    good = repo / "good.jsonl"
    good.write_text(line(record("9.000001")) + "\n", encoding="utf-8")
    assert run_eiso("import", "tthc", str(good), "--out", "procedures/qg", cwd=repo).returncode == 0
    result = run_eiso("sync", "tthc", str(deep_file), cwd=repo)
    assert_no_crash(result)
    assert "deep.jsonl, dòng 3: JSON lồng quá sâu" in result.stdout
    assert "deep.jsonl, dòng 5: JSON lồng quá sâu" in result.stdout
    data = json.loads(run_eiso("sync", "tthc", str(deep_file), "--format", "json", cwd=repo).stdout)
    assert [m["line"] for m in data["malformed"]] == [3, 4, 5]


@pytest.mark.parametrize("deep", [DEEP_LIST, DEEP_OBJECT])
def test_legal_impact_reports_a_deep_decision_with_its_line(repo: Path, deep: str) -> None:
    decision = repo / "qd.json"
    decision.write_text('[\n {"national_code": "1.001193", "change": "amended"},\n ' + deep + "\n]\n",
                        encoding="utf-8")
    result = run_eiso("report", "legal-impact", "--decision", str(decision), cwd=repo)
    assert_no_crash(result)
    assert result.returncode == 2
    assert "qd.json:3" in result.stderr and "JSON lồng quá sâu" in result.stderr, result.stderr


def test_a_deep_manifest_is_reported_not_a_crash(repo: Path) -> None:
    (repo / "procedures" / "qg").mkdir(parents=True)
    (repo / "procedures" / "qg" / MANIFEST_NAME).write_text(DEEP_OBJECT, encoding="utf-8")
    good = repo / "good.jsonl"
    good.write_text(line(record("9.000001")) + "\n", encoding="utf-8")
    result = run_eiso("import", "tthc", str(good), "--out", "procedures/qg", cwd=repo)
    assert_no_crash(result)
    assert f"không đọc được {MANIFEST_NAME}" in result.stdout
    assert_no_crash(run_eiso("sync", "tthc", str(good), cwd=repo))


def test_the_depth_scan_skips_strings_and_stays_linear() -> None:
    assert loads('{"a": "' + "[" * 1000 + '"}') == {"a": "[" * 1000}  # brackets in a string do not count
    assert loads('["\\"' + "[" * 1000 + '"]') == ['"' + "[" * 1000]
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(JsonTooDeep) as error:
        loads("\n" + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert (error.value.lineno, error.value.colno) == (2, MAX_DEPTH + 1)
    # linear on hostile strings: tests/security/test_denial_of_service.py ("json-depth-*")


def test_nan_and_the_infinities_are_not_json() -> None:
    # Python's parser takes them: a national record's name became the text "nan" (importers review, M3)
    from eiso.boundedjson import JsonConstant, loads

    for text in ('{"name": NaN}', '{"a": [Infinity]}', '{"b": -Infinity}', '{"name": 1e999}', '{"n": -1E400}'):
        with pytest.raises(JsonConstant, match="không có trong JSON chuẩn"):
            loads(text)
    assert loads('{"name": "NaN", "n": 1.5}') == {"name": "NaN", "n": 1.5}
