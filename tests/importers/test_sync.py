"""``eiso sync tthc``: a repository imported from real national records meets a newer national file."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from conftest import run_eiso
from factory import NATIONAL_CORPUS, make_repo

from eiso.importers.facts import ABSENT, facts, legal_identity
from eiso.importers.frontmatter import read_front_matter
from eiso.importers.manifest import MANIFEST_NAME
from eiso.importers.sync import CONFLICT, KEPT, NO_BASELINE, SAFE, three_way
from eiso.legal.codes import legal_key

CORPUS = NATIONAL_CORPUS
needs_corpus = pytest.mark.skipif(not CORPUS.is_file(), reason="shared corpus not available")

FEE_CHANGED, DOSSIER_GROWN, REMOVED, BOTH_EDITED = "1.004222", "1.010101", "1.010055", "1.012566"
IMPORTED = [FEE_CHANGED, DOSSIER_GROWN, REMOVED, BOTH_EDITED]
HAND_WRITTEN = "1.001193"  # the factory's QT-HT-01 names it; no import wrote it
NEW_COMMUNE, PROVINCIAL = "1.003197", "1.000931"
NEW_FEE = "25.000 đồng/lần đăng ký"
LOCAL_FEE, LOCAL_CONFLICT_FEE, NATIONAL_CONFLICT_FEE = "10.000 đồng", "Miễn phí (địa phương)", "5.000 đồng"
NEW_ITEM = "Giấy ủy quyền có chứng thực (nếu nộp thay)"


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    if not CORPUS.is_file():
        pytest.skip("shared corpus not available")
    wanted = set(IMPORTED) | {HAND_WRITTEN, NEW_COMMUNE, PROVINCIAL}
    found = {}
    with CORPUS.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["code"] in wanted:
                found[record["code"]] = record
    assert set(found) == wanted
    return found


def write_jsonl(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in items), encoding="utf-8")
    return path


def channel_index(record: dict, name: str) -> int:
    return next(i for i, c in enumerate(record["channels"]) if c["channel"] == name)


def newer(records: dict[str, dict]) -> list[dict]:
    """The national file a year later: one fee changed, one dossier item added, one record removed, the
    locally edited fee changed too, and a new commune-level record published."""
    items = {code: copy.deepcopy(records[code]) for code in IMPORTED + [HAND_WRITTEN, NEW_COMMUNE, PROVINCIAL]}
    fee = items[FEE_CHANGED]
    fee["channels"][channel_index(fee, "Trực tiếp")]["fee_and_notes"] = NEW_FEE
    items[DOSSIER_GROWN]["dossier"].append({"name": NEW_ITEM, "forms": [], "originals": 1, "copies": 0})
    both = items[BOTH_EDITED]
    both["channels"][channel_index(both, "Trực tiếp")]["fee_and_notes"] = NATIONAL_CONFLICT_FEE
    del items[REMOVED]
    return list(items.values())


def set_fee(path: Path, channel: str, fee: str) -> None:
    """Edit one channel's fee the way a person does: in the text of the front matter."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(f"  - channel: {channel}")
    at = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("    fee:"))
    lines[at] = f"    fee: {fee}"
    path.write_text("\n".join(lines), encoding="utf-8")


def doc_path(repo: Path, national: str) -> Path:
    return next(repo.glob(f"procedures/*/qt-tthc-{national.replace('.', '-')}.md"))


def front(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.index("\n---\n", 4):]


@pytest.fixture
def imported(tmp_path: Path, records) -> Path:
    """A repository where `eiso import tthc` drafted four real commune procedures, one then edited locally."""
    repo = make_repo(tmp_path / "repo")
    old = write_jsonl(tmp_path / "tthc-2025.jsonl", [records[c] for c in IMPORTED + [HAND_WRITTEN]])
    result = run_eiso("import", "tthc", str(old), "--level", "Cấp xã", cwd=repo)
    assert result.returncode == 0, result.stderr
    for code in IMPORTED:
        assert doc_path(repo, code).is_file()
    set_fee(doc_path(repo, FEE_CHANGED), "Trực tuyến", LOCAL_FEE)
    set_fee(doc_path(repo, BOTH_EDITED), "Trực tiếp", LOCAL_CONFLICT_FEE)
    write_jsonl(tmp_path / "tthc-2026.jsonl", newer(records))
    return repo


def snapshot(repo: Path) -> dict[str, bytes]:
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted((repo / "procedures").rglob("*"))
            if p.is_file()}


def sync_json(repo: Path, *extra: str):
    result = run_eiso("sync", "tthc", str(repo.parent / "tthc-2026.jsonl"), "--format", "json", *extra, cwd=repo)
    assert "Traceback" not in result.stderr, result.stderr
    return result, json.loads(result.stdout)


def by_code(data: dict) -> dict[str, dict]:
    return {p["national_code"]: p for p in data["procedures"]}


def kinds(procedure: dict) -> dict[str, str]:
    return {c["key"]: c["kind"] for c in procedure["changes"]}


@needs_corpus
def test_sync_reports_safe_kept_conflict_and_abolished(imported: Path) -> None:
    before = snapshot(imported)
    result, data = sync_json(imported)
    assert result.returncode == 1  # a conflict and an abolished record need a person
    assert snapshot(imported) == before  # without --apply nothing is written
    found = by_code(data)

    fee = found[FEE_CHANGED]
    assert fee["baseline"] is True
    assert kinds(fee) == {"tthc.channels[Trực tiếp].fee": SAFE, "tthc.channels[Trực tuyến].fee": KEPT}
    safe = next(c for c in fee["changes"] if c["kind"] == SAFE)
    assert safe["national"] == NEW_FEE and safe["local"] == safe["imported"] != NEW_FEE
    kept = next(c for c in fee["changes"] if c["kind"] == KEPT)
    assert kept["local"] == LOCAL_FEE and kept["national"] == kept["imported"]

    grown = found[DOSSIER_GROWN]
    assert kinds(grown) == {f"tthc.dossier[{NEW_ITEM}]": SAFE}
    assert grown["changes"][0]["change"] == "added" and grown["changes"][0]["imported"] is None

    both = found[BOTH_EDITED]
    assert kinds(both) == {"tthc.channels[Trực tiếp].fee": CONFLICT}
    conflict = both["changes"][0]
    assert (conflict["local"], conflict["national"]) == (LOCAL_CONFLICT_FEE, NATIONAL_CONFLICT_FEE)
    assert conflict["imported"] not in (LOCAL_CONFLICT_FEE, NATIONAL_CONFLICT_FEE)

    assert [a["national_code"] for a in data["abolished"]] == [REMOVED]
    # QT-HT-01 was written by hand: nothing says what was imported, so every difference needs a person.
    hand = found[HAND_WRITTEN]
    assert hand["baseline"] is False and hand["changes"]
    assert {c["kind"] for c in hand["changes"]} == {NO_BASELINE}
    # A new commune-level record is reported; a provincial one is not the agency's.
    assert [r["national_code"] for r in data["new_records"]] == [NEW_COMMUNE]
    assert data["summary"][SAFE] == 2 and data["summary"][CONFLICT] == 1 and data["summary"][KEPT] == 1

    text = run_eiso("sync", "tthc", str(imported.parent / "tthc-2026.jsonl"), cwd=imported).stdout
    assert "Xung đột" in text and LOCAL_CONFLICT_FEE in text and NATIONAL_CONFLICT_FEE in text
    assert "có thể đã bị bãi bỏ" in text and "Chưa có dữ liệu lần nhập" in text


@needs_corpus
def test_apply_takes_only_safe_changes_and_keeps_local_edits(imported: Path) -> None:
    paths = {code: doc_path(imported, code) for code in IMPORTED}
    bodies = {code: body(path) for code, path in paths.items()}
    untouched = {code: paths[code].read_bytes() for code in (REMOVED, BOTH_EDITED)}
    manifest_before = json.loads((imported / "procedures" / MANIFEST_NAME).read_text(encoding="utf-8"))
    result, data = sync_json(imported, "--apply")
    assert result.returncode == 1  # the conflict is left for a person

    fee = front(paths[FEE_CHANGED])
    channels = {c["channel"]: c for c in fee["tthc"]["channels"]}
    assert channels["Trực tiếp"]["fee"] == NEW_FEE  # taken
    assert channels["Trực tuyến"]["fee"] == LOCAL_FEE  # the local edit is kept
    assert (fee["revision"], fee["status"]) == (2, "draft") and "effective" not in fee
    grown = front(paths[DOSSIER_GROWN])
    assert grown["tthc"]["dossier"][-1] == {"name": NEW_ITEM, "originals": 1, "copies": 0}
    assert grown["revision"] == 2
    for code in (FEE_CHANGED, DOSSIER_GROWN):
        assert body(paths[code]) == bodies[code]  # the body is kept byte for byte
    for code, content in untouched.items():
        assert paths[code].read_bytes() == content  # conflict and abolished: nothing taken
    assert front(paths[BOTH_EDITED])["tthc"]["channels"][channel_index_by(paths[BOTH_EDITED], "Trực tiếp")]["fee"] \
        == LOCAL_CONFLICT_FEE
    assert {p["national_code"]: p["revision"] for p in data["procedures"] if p["revision"]} == \
        {FEE_CHANGED: 2, DOSSIER_GROWN: 2}

    manifest = json.loads((imported / "procedures" / MANIFEST_NAME).read_text(encoding="utf-8"))
    rel = paths[FEE_CHANGED].relative_to(imported / "procedures").as_posix()
    assert manifest["imported"][rel]["facts"]["tthc.channels[Trực tiếp].fee"] == NEW_FEE
    assert manifest["files"] == manifest_before["files"]  # a re-import still sees the synced file as edited

    summary = (imported / "sync-tthc.md").read_text(encoding="utf-8")
    assert "QT-TTHC-1.004222" in summary and "QT-TTHC-1.010101" in summary and "Cần người xử lý" in summary
    assert NATIONAL_CONFLICT_FEE in summary and "QT-TTHC-1.010055" in summary
    check = run_eiso("check", cwd=imported)
    assert check.returncode == 0, check.stdout


def channel_index_by(path: Path, name: str) -> int:
    return next(i for i, c in enumerate(front(path)["tthc"]["channels"]) if c["channel"] == name)


@needs_corpus
def test_second_sync_reports_nothing_new(imported: Path) -> None:
    first, _ = sync_json(imported, "--apply")
    assert first.returncode == 1
    after_first = snapshot(imported)
    result, data = sync_json(imported)
    assert result.returncode == 0
    assert data["summary"]["new"] == 0 and data["summary"][SAFE] == 0
    assert all(not c["new"] for p in data["procedures"] for c in p["changes"])
    text = run_eiso("sync", "tthc", str(imported.parent / "tthc-2026.jsonl"), cwd=imported)
    assert "Không có thay đổi mới" in text.stdout and "Xung đột" not in text.stdout
    again = run_eiso("sync", "tthc", str(imported.parent / "tthc-2026.jsonl"), "--apply", cwd=imported)
    assert again.returncode == 0
    assert snapshot(imported) == after_first  # no second revision raise, manifest unchanged


@needs_corpus
def test_a_new_conflict_after_apply_is_new_again(imported: Path, records) -> None:
    sync_json(imported, "--apply")
    later = newer(records)
    both = next(r for r in later if r["code"] == BOTH_EDITED)
    both["channels"][channel_index(both, "Trực tiếp")]["fee_and_notes"] = "7.000 đồng"
    write_jsonl(imported.parent / "tthc-2026.jsonl", later)
    result, data = sync_json(imported)
    assert result.returncode == 1
    conflict = by_code(data)[BOTH_EDITED]["changes"][0]
    assert (conflict["kind"], conflict["new"], conflict["national"]) == (CONFLICT, True, "7.000 đồng")


@needs_corpus
def test_old_manifest_has_no_baseline(imported: Path) -> None:
    path = imported / "procedures" / MANIFEST_NAME
    current = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({"version": 1, "files": current["files"]}), encoding="utf-8")
    before = snapshot(imported)
    result, data = sync_json(imported, "--apply", "--summary", "-")
    assert result.returncode == 1
    fee = by_code(data)[FEE_CHANGED]
    assert fee["baseline"] is False
    assert kinds(fee) == {"tthc.channels[Trực tiếp].fee": NO_BASELINE, "tthc.channels[Trực tuyến].fee": NO_BASELINE}
    changed = {k for k in snapshot(imported) if snapshot(imported)[k] != before.get(k)}
    assert changed == {f"procedures/{MANIFEST_NAME}"}  # no document is touched without a baseline


@needs_corpus
def test_reimport_after_sync_keeps_the_synced_document(imported: Path) -> None:
    sync_json(imported, "--apply")
    path = doc_path(imported, FEE_CHANGED)
    synced = path.read_bytes()
    result = run_eiso("import", "tthc", str(imported.parent / "tthc-2026.jsonl"), "--level", "Cấp xã", cwd=imported)
    assert result.returncode == 0
    assert path.read_bytes() == synced
    assert "đã bị sửa sau lần nhập trước" in result.stdout


@needs_corpus
def test_time_change_that_breaks_the_step_table_needs_a_person(imported: Path, records) -> None:
    later = newer(records)
    grown = next(r for r in later if r["code"] == DOSSIER_GROWN)
    for channel in grown["channels"]:
        channel["time"] = {"value": 2, "unit": "hours"}  # shorter than the drafted steps
    write_jsonl(imported.parent / "tthc-2026.jsonl", later)
    path = doc_path(imported, DOSSIER_GROWN)
    content = path.read_bytes()
    result, data = sync_json(imported, "--apply")
    assert result.returncode == 1
    assert "không đạt kiểm tra" in by_code(data)[DOSSIER_GROWN]["problem"]
    assert path.read_bytes() == content


def test_missing_file_is_a_usage_error(repo: Path) -> None:
    result = run_eiso("sync", "tthc", "khong-co.jsonl", cwd=repo)
    assert result.returncode == 2 and "không tìm thấy" in result.stderr


# -- the parts --------------------------------------------------------------------------------------


def test_three_way_rules() -> None:
    base = {"a": 1, "b": 1, "c": 1, "d": 1, "e": 1}
    local = {"a": 1, "b": 2, "c": 2, "d": 2, "e": 1, "f": 1}
    national = {"a": 2, "b": 1, "c": 3, "d": 2, "g": 1}
    found = {c.key: c.kind for c in three_way(base, local, national)}
    assert found == {"a": SAFE, "b": KEPT, "c": CONFLICT, "e": SAFE, "f": KEPT, "g": SAFE}
    changes = {c.key: c.change for c in three_way(base, local, national)}
    assert (changes["e"], changes["f"], changes["g"]) == ("removed", "added", "added")
    assert {c.kind for c in three_way(None, local, national)} == {NO_BASELINE}


def test_repeated_channel_names_stay_apart() -> None:
    meta = {"title": "X", "tthc": {"channels": [
        {"channel": "Trực tiếp", "time": {"value": 15, "unit": "working_days"}, "fee": "a"},
        {"channel": "Trực tiếp", "time": {"value": 3, "unit": "working_days"}, "fee": "b"}]}}
    found = facts(meta)
    assert found["tthc.channels[Trực tiếp].time"] == {"value": 15, "unit": "working_days"}
    assert found["tthc.channels[Trực tiếp#2].fee"] == "b"
    assert facts(meta).get("tthc.channels[Trực tiếp#3].fee", ABSENT) is ABSENT


def test_legal_code_spellings_are_one_key() -> None:
    assert legal_identity("123/2015/ND-CP") == legal_identity("123/2015/NĐ-CP") == legal_identity("123 /2015/NĐ-CP")
    for code in ("123/2015/NĐ-CP", "01/2014/NQLT-CP-UBTƯMTTQVN", "05/2012/QĐ-TTg"):
        assert legal_identity(code) == legal_key(code)


def test_front_matter_edit_keeps_written_numbers_and_body(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    body_text = "\n## 1. Mục đích\n\nVăn bản   giữ nguyên  \n\n{{ không phải mẫu }}\n"
    path.write_text("---\ncode: QT-01\nrevision: 2\ntthc: {national_code: 1.10, level: Cấp xã}\n"
                    "effective: 2025-03-01\n---\n" + body_text, encoding="utf-8")
    document = read_front_matter(path)
    document.data["revision"] = 3
    text = document.text()
    assert text.endswith("---\n" + body_text)
    again = yaml.safe_load(text.split("---\n")[1])
    assert again["tthc"]["national_code"] == "1.10"  # not 1.1
    assert again["revision"] == 3 and str(again["effective"]) == "2025-03-01"


@needs_corpus
def test_malformed_lines_are_reported_and_the_rest_compared(imported: Path) -> None:
    path = imported.parent / "tthc-2026.jsonl"
    path.write_text("{not json\n[1, 2]\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    result, data = sync_json(imported)
    assert [m["line"] for m in data["malformed"]] == [1, 2]
    assert FEE_CHANGED in by_code(data)  # the good records are still compared
    text = run_eiso("sync", "tthc", str(path), cwd=imported).stdout
    assert "dòng 1: JSON không hợp lệ" in text


@needs_corpus
def test_citizen_steps_changed_nationally_are_reported_and_taken(imported: Path, records) -> None:
    # The public page shows tthc.citizen_steps: a national change of the "trình tự thực hiện" must reach it.
    from eiso.importers.tthc.steps import citizen_steps

    items = newer(records)
    grown = next(item for item in items if item["code"] == DOSSIER_GROWN)
    grown["steps_text"] = grown["steps_text"].replace("Bước 1: Cá nhân chuẩn bị đầy đủ hồ sơ",
                                                      "Bước 1: Cá nhân khai tờ khai trực tuyến và chuẩn bị hồ sơ")
    expected = citizen_steps(grown["steps_text"])
    assert "khai tờ khai trực tuyến" in expected[0]
    write_jsonl(imported.parent / "tthc-2026.jsonl", items)
    _, data = sync_json(imported)
    assert kinds(by_code(data)[DOSSIER_GROWN])["tthc.citizen_steps"] == SAFE
    assert "tthc.citizen_steps" not in kinds(by_code(data)[FEE_CHANGED])  # unchanged steps: not reported
    sync_json(imported, "--apply")
    assert front(doc_path(imported, DOSSIER_GROWN))["tthc"]["citizen_steps"] == expected
    summary = (imported / "sync-tthc.md").read_text(encoding="utf-8")
    assert "Trình tự thực hiện (các bước người dân thấy)" in summary and "khai tờ khai trực tuyến" in summary


@pytest.mark.parametrize("path", ["procedures/a`b.md", "procedures/``x``[lien-ket](http://x.example)*nghieng*.md",
                                  "`dau.md", "cuoi`", "procedures/@all.md"])
def test_a_path_in_the_merge_request_description_stays_inside_its_code_span(path: str) -> None:
    # File names come from the merge request: no backtick in one may end the span and turn the rest into Markdown.
    import html

    import markdown

    from eiso.importers.sync_output import _code

    rendered = markdown.markdown(f"Tệp {_code(path)}, mã thủ tục 1.000001.")
    assert rendered.count("<code>") == 1 and "<a " not in rendered and "<em>" not in rendered
    assert rendered.split("<code>")[1].split("</code>")[0] == html.escape(path, quote=False)


@needs_corpus
def test_a_national_record_that_cannot_be_read_never_removes_local_facts(imported: Path, records) -> None:
    # A bad export: a channel list given as text, a processing time as a string. The importer reads them as
    # nothing; taken as "national removed it", --apply would delete the procedure's times and fees.
    items = newer(records)
    broken = {r["code"]: r for r in items}
    broken[DOSSIER_GROWN]["channels"] = "Trực tiếp"
    time = broken[FEE_CHANGED]["channels"][channel_index(broken[FEE_CHANGED], "Trực tiếp")]
    time["time"] = {"value": "5", "unit": time["time"]["unit"]} if isinstance(time.get("time"), dict) else "5"
    write_jsonl(imported.parent / "tthc-2026.jsonl", items)
    before = {code: front(doc_path(imported, code))["tthc"]["channels"] for code in (DOSSIER_GROWN, FEE_CHANGED)}
    text = run_eiso("sync", "tthc", str(imported.parent / "tthc-2026.jsonl"), cwd=imported).stdout
    assert "Bản ghi quốc gia không chắc chắn (giá trị không đọc được" in text
    assert "Bản ghi quốc gia: trường channels không phải danh sách" in text
    result, data = sync_json(imported, "--apply")
    assert result.returncode == 1  # a person must look
    procedures = by_code(data)
    for code in (DOSSIER_GROWN, FEE_CHANGED):
        after = front(doc_path(imported, code))["tthc"]["channels"]
        assert [c["channel"] for c in after] == [c["channel"] for c in before[code]]
        assert [c.get("time") for c in after] == [c.get("time") for c in before[code]]  # nothing removed
        assert procedures[code]["national_warnings"]  # the importer says what it could not read
        removals = [c for c in procedures[code]["changes"] if c["change"] != "changed" or c["national"] in (None, "")]
        assert removals and all(c["kind"] == "doubtful" and not c["applied"] for c in removals)
    assert NEW_FEE in json.dumps(front(doc_path(imported, FEE_CHANGED)), ensure_ascii=False)  # a readable change is taken


@needs_corpus
def test_hostile_national_text_and_a_malformed_baseline_do_not_stop_the_sync(imported: Path, records) -> None:
    # A lone surrogate stopped the report with UnicodeEncodeError; an escape sequence reached the terminal; a
    # dossier baseline left as a string by a merge conflict stopped everything with TypeError (review, M1).
    path = imported.parent / "tthc-2026.jsonl"
    lines = path.read_text(encoding="utf-8")
    path.write_text(lines + '{"code": "9.100001", "name": "Thủ tục \\ud800 lạ\\u001b[2J\\u001b[31mĐỎ", '
                    '"level": "Cấp xã", "field": "Hộ tịch"}\n', encoding="utf-8")
    manifest_path = imported / "procedures" / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    entry = next(iter(value for key, value in manifest["imported"].items() if "1-010101" in key))
    dossier_key = next(key for key in entry["facts"] if key.startswith("tthc.dossier["))
    entry["facts"][dossier_key] = "<<<<<<< HEAD"
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")

    for fmt in ("text", "json"):
        result = run_eiso("sync", "tthc", str(path), "--format", fmt, cwd=imported)
        assert result.returncode in (0, 1), result.stderr
        assert "không mong đợi" not in result.stderr and "\x1b" not in result.stdout + result.stderr
        assert "Thủ tục  lạ[2J[31mĐỎ" in result.stdout or "Thủ tục lạ[2J[31mĐỎ" in result.stdout
    from eiso.importers.facts import shown

    assert shown("tthc.dossier[Tờ khai]", "<<<<<<< HEAD") == "(giá trị không đúng dạng: '<<<<<<< HEAD')"
    assert shown("tthc.channels[Trực tiếp].time", {"value": 5}).startswith("(giá trị không đúng dạng")


@needs_corpus
def test_a_deleted_import_and_a_national_level_change_are_said(imported: Path, records) -> None:
    # Both were silent: the deleted file's baseline stayed unused, and the comparison used the imported level,
    # so a procedure moved to the province did not show (importers review, M2).
    doc_path(imported, REMOVED).unlink()
    items = newer(records)
    moved = next(item for item in items if item["code"] == FEE_CHANGED)
    moved["level"] = "Cấp tỉnh"
    write_jsonl(imported.parent / "tthc-2026.jsonl", items)
    result, data = sync_json(imported)
    notes = "\n".join(data["notes"])
    assert "qt-tthc-1-010055.md: tệp do «eiso import tthc» tạo không còn" in notes
    assert "qt-tthc-1-004222.md: ở dữ liệu quốc gia, thủ tục nay ở cấp «Cấp tỉnh», không còn ở «Cấp xã»" in notes
    text = run_eiso("sync", "tthc", str(imported.parent / "tthc-2026.jsonl"), cwd=imported).stdout
    assert "Lưu ý: procedures/" in text and "không còn ở «Cấp xã»" in text


@needs_corpus
def test_apply_says_that_the_front_matters_comments_are_gone(imported: Path) -> None:
    # --apply writes the front matter again from its data, and YAML keeps no comments: the import's report and a
    # secretary's notes went without a word (importers review, M2 4)
    path = doc_path(imported, DOSSIER_GROWN)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\n# Ghi chú: chờ ý kiến pháp chế\n", 1), encoding="utf-8")
    from eiso.importers.frontmatter import comment_lines

    assert comment_lines("# a\ntitle: 'x # y'\nbody: |\n  a # b\ncode: QT  # c\n") == 2  # values are not comments
    _, data = sync_json(imported, "--apply")
    notes = "\n".join(data["notes"])
    assert f"{path.relative_to(imported).as_posix()}: phần đầu YAML được ghi lại" in notes and "1 dòng chú thích" in notes


@needs_corpus
def test_a_moved_import_is_compared_with_the_baseline_of_its_old_path(imported: Path) -> None:
    # The baseline was keyed by path: after a routine move into another folder every difference needed a person
    # and the old path was reported as deleted (importers review, M2 2).
    old = doc_path(imported, FEE_CHANGED)
    new = imported / "procedures" / "thu-tuc-xa" / "le-phi.md"
    new.parent.mkdir(parents=True)
    old.rename(new)
    result, data = sync_json(imported)
    fee = by_code(data)[FEE_CHANGED]
    assert fee["path"] == "procedures/thu-tuc-xa/le-phi.md" and fee["baseline"] is True
    assert kinds(fee) == {"tthc.channels[Trực tiếp].fee": SAFE, "tthc.channels[Trực tuyến].fee": KEPT}
    notes = "\n".join(data["notes"])
    old_rel = old.relative_to(imported).as_posix()
    assert f"procedures/thu-tuc-xa/le-phi.md: tệp do «eiso import tthc» tạo ở {old_rel}, nay đã đổi tên" in notes
    assert "không còn (đã xóa" not in notes
    _, applied = sync_json(imported, "--apply")
    assert NEW_FEE in new.read_text(encoding="utf-8") and not old.exists()  # the national fee reached the moved file
