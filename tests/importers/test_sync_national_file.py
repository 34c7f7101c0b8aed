"""``eiso sync tthc`` with a national file that is damaged or writes codes another way: no procedure is
taken for abolished because its record could not be read or its code is written in the portal's long form."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from conftest import run_eiso
from factory import make_repo
from test_sync import (DOSSIER_GROWN, FEE_CHANGED, NEW_ITEM, by_code, doc_path, front, imported, kinds, needs_corpus,
                       records, sync_json)

from eiso.importers.national_codes import codes_in_broken_line, national_key

__all__ = ["imported", "records"]  # fixtures


def rewrite(path: Path, code: str, change) -> None:
    """Rewrite the line of the national record ``code`` with ``change(line) -> line``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if json.loads(line)["code"] == code)
    lines[at] = change(lines[at])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@needs_corpus
def test_a_truncated_record_is_not_an_abolished_procedure(imported: Path) -> None:
    national = imported.parent / "tthc-2026.jsonl"
    rewrite(national, FEE_CHANGED, lambda line: line[: len(line) // 2])  # a download cut short
    result, data = sync_json(imported)
    assert result.returncode == 1
    assert FEE_CHANGED not in [a["national_code"] for a in data["abolished"]]
    problem = by_code(data)[FEE_CHANGED]["problem"]
    assert "không đọc được" in problem and "dòng" in problem
    result, data = sync_json(imported, "--apply")
    manifest = json.loads((imported / "procedures" / ".eiso-import.json").read_text(encoding="utf-8"))
    rel = doc_path(imported, FEE_CHANGED).relative_to(imported / "procedures").as_posix()
    assert not manifest.get("reported", {}).get(rel, {}).get("abolished")


@needs_corpus
def test_an_unattributable_broken_line_makes_abolished_procedures_doubtful(imported: Path) -> None:
    national = imported.parent / "tthc-2026.jsonl"
    national.write_text("{\"name\": \"Thủ tục\", \"lev\n" + national.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_eiso("sync", "tthc", str(national), cwd=imported)
    assert "Traceback" not in result.stderr
    assert "kiểm tra các dòng lỗi" in result.stdout


@needs_corpus
def test_the_portals_long_code_names_the_same_procedure(imported: Path) -> None:
    national = imported.parent / "tthc-2026.jsonl"
    long_code = f"{DOSSIER_GROWN}.000.00.00.H12"
    rewrite(national, DOSSIER_GROWN, lambda line: line.replace(f'"{DOSSIER_GROWN}"', f'"{long_code}"', 1))
    result, data = sync_json(imported)
    assert DOSSIER_GROWN not in [a["national_code"] for a in data["abolished"]]
    assert long_code not in [r["national_code"] for r in data["new_records"]]
    assert kinds(by_code(data)[DOSSIER_GROWN])[f"tthc.dossier[{NEW_ITEM}]"] == "safe"
    assert any(long_code in note for note in data["notes"])


def test_national_keys() -> None:
    assert national_key(" 1.010028.000.00.00.H12 ") == national_key("1.010028") == national_key("1.010028\u200b")
    assert national_key("1.010028.000.00.00") != national_key("1.010028")  # not the portal's form: kept apart
    assert codes_in_broken_line('{"code": "1.004222", "name": "Đăng ký') == {"1.004222"}
    assert codes_in_broken_line('{"code": 1.004222, "legal_basis": [{"code": "1/2020/NĐ-CP"') >= {"1.004222"}


@needs_corpus
def test_a_decree_spelt_nd_nationally_is_no_change_and_is_imported_as_nđ(imported: Path, records) -> None:
    national = imported.parent / "tthc-2026.jsonl"
    rewrite(national, DOSSIER_GROWN, lambda line: line.replace("NĐ-CP", "ND-CP"))  # 70/2024/ND-CP
    result, data = sync_json(imported)
    assert not [key for key in kinds(by_code(data)[DOSSIER_GROWN]) if key.startswith("legal_basis")]
    spelt = json.loads(next(line for line in national.read_text(encoding="utf-8").splitlines()
                            if json.loads(line)["code"] == DOSSIER_GROWN))
    fresh = make_repo(imported.parent / "fresh")
    one = imported.parent / "one.jsonl"
    one.write_text(json.dumps(spelt, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run_eiso("import", "tthc", str(one), "--level", "Cấp xã", cwd=fresh).returncode == 0
    codes = [ref["code"] for ref in front(doc_path(fresh, DOSSIER_GROWN))["legal_basis"] if "code" in ref]
    assert "70/2024/NĐ-CP" in codes and not [code for code in codes if "ND-" in code]


@needs_corpus
def test_a_broken_line_is_explained_in_vietnamese(imported: Path) -> None:
    national = imported.parent / "tthc-2026.jsonl"
    national.write_text('{"code": "1.000001", "name": "Thủ tục\n{"code": "1.000002",}\n'
                        + national.read_text(encoding="utf-8"), encoding="utf-8")
    text = run_eiso("sync", "tthc", str(national), cwd=imported).stdout
    assert "dòng 1: JSON không hợp lệ (ký tự điều khiển (xuống dòng, tab…) nằm trong chuỗi" in text  # cut short
    assert "dòng 2: JSON không hợp lệ (tên trường phải đặt trong ngoặc kép" in text
    assert "Expecting" not in text and "Unterminated" not in text


@needs_corpus
def test_a_sync_after_a_failed_apply_says_the_change_cannot_be_taken(imported: Path, records) -> None:
    national = imported.parent / "tthc-2026.jsonl"
    rewrite(national, DOSSIER_GROWN, lambda line: line.replace('"unit": "working_days"', '"unit": "hours"'))
    result, data = sync_json(imported, "--apply")
    assert "không đạt kiểm tra" in by_code(data)[DOSSIER_GROWN]["problem"]
    result, data = sync_json(imported)  # the same file again, without --apply
    assert result.returncode == 1 and "không đạt kiểm tra" in by_code(data)[DOSSIER_GROWN]["problem"]
    text = run_eiso("sync", "tthc", str(national), cwd=imported).stdout
    block = text[text.index(f"(mã thủ tục {DOSSIER_GROWN};"):].split("\n\n")[0]
    assert "Cần xử lý: sau khi nhận thay đổi" in block and "có thể nhận" not in block


@needs_corpus
def test_a_hostile_new_national_record_is_shown_short_and_inert(imported: Path) -> None:
    national = imported.parent / "tthc-2026.jsonl"
    hostile = {"code": "1.999998", "name": "\x1b[31mĐỏ" + "A" * 1_000_000, "level": "Cấp xã", "field": "X\u202e"}
    with national.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(hostile, ensure_ascii=False) + "\n")
    result = run_eiso("sync", "tthc", str(national), cwd=imported)
    assert len(result.stdout) < 100_000 and "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "1.999998 — [31mĐỏAAA" in result.stdout


def agencies_file(imported: Path, records, codes: list[str], fee: str | None = None) -> None:
    """The national file with DOSSIER_GROWN's record once per code in ``codes`` (an agency's long code or the short
    one); the first one's fees replaced by ``fee``: another agency's prices."""
    lines = []
    for position, code in enumerate(codes):
        record = copy.deepcopy(records[DOSSIER_GROWN])
        record["code"] = code
        if fee is not None and position == 0:
            for channel in record["channels"]:
                channel["fee_and_notes"] = fee
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    (imported.parent / "tthc-2026.jsonl").write_text("".join(lines), encoding="utf-8")


@needs_corpus
def test_another_agencys_record_never_replaces_the_documents_own(imported: Path, records) -> None:
    path = doc_path(imported, DOSSIER_GROWN)
    own, other = f"{DOSSIER_GROWN}.000.00.00.H12", f"{DOSSIER_GROWN}.000.00.00.G15"
    path.write_text(path.read_text(encoding="utf-8").replace(f"national_code: '{DOSSIER_GROWN}'",
                                                             f"national_code: {own}", 1), encoding="utf-8")
    assert front(path)["tthc"]["national_code"] == own
    before = path.read_bytes()
    agencies_file(imported, records, [other, own], fee="50.000 đồng")
    result, data = sync_json(imported, "--apply")
    assert not any("lặp lại" in note for note in data["notes"])  # two agencies' records, not one written twice
    assert own not in by_code(data) and path.read_bytes() == before  # its own record, unchanged: nothing to say
    for codes in ([other], [other, f"{DOSSIER_GROWN}.000.00.00.G16"]):  # none is the document's: a person chooses
        agencies_file(imported, records, codes, fee="50.000 đồng")
        result, data = sync_json(imported, "--apply")
        procedure = by_code(data)[own]
        assert procedure["changes"] and procedure["revision"] is None and data["summary"]["applied"] == 0
        assert any("50.000" in change["national_text"] for change in procedure["changes"])
        assert set(kinds(procedure).values()) == {"doubtful"} and path.read_bytes() == before
        assert "cơ quan khác" in procedure["national_warnings"][0] and other in procedure["national_warnings"][0]


@needs_corpus
def test_a_short_code_with_several_agencies_records_needs_a_person(imported: Path, records) -> None:
    path = doc_path(imported, DOSSIER_GROWN)
    before = path.read_bytes()
    agencies_file(imported, records, [f"{DOSSIER_GROWN}.000.00.00.G15", f"{DOSSIER_GROWN}.000.00.00.H12"],
                  fee="50.000 đồng")
    result, data = sync_json(imported, "--apply")
    assert set(kinds(by_code(data)[DOSSIER_GROWN]).values()) == {"doubtful"} and path.read_bytes() == before
    agencies_file(imported, records, [f"{DOSSIER_GROWN}.000.00.00.G15", DOSSIER_GROWN], fee="50.000 đồng")
    result, data = sync_json(imported)  # the document's own code is there: the other agency's is not it
    assert DOSSIER_GROWN not in by_code(data)  # its own record, unchanged: the other agency's fees are not offered
