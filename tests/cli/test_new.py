from conftest import run_eiso

from eiso.documents.loader import load_corpus


def test_new_scaffolds_a_valid_draft_with_the_next_code(repo):
    # The base repository's one system procedure is QT-NB-01 (QT-HT-01 is a TTHC): the kind's
    # scheme as the documents use it gives QT-NB-02, then QT-NB-03, beside it in he-thong/.
    result = run_eiso("new", "--kind", "system", "--unit", "Văn phòng - Thống kê", "Đánh giá nội bộ", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "QT-NB-02" in result.stdout
    result = run_eiso("new", "--kind", "system", "--unit", "Văn phòng - Thống kê", "Xem xét của lãnh đạo", cwd=repo)
    assert "QT-NB-03" in result.stdout
    assert (repo / "procedures/he-thong/qt-nb-03-xem-xet-cua-lanh-dao.md").is_file()
    assert run_eiso("check", cwd=repo).returncode == 0  # the scaffolds are valid drafts
    corpus = load_corpus(repo)
    created = {d.meta.code: d for d in corpus.documents}
    assert created["QT-NB-03"].meta.title == "Xem xét của lãnh đạo"
    assert created["QT-NB-03"].meta.status.value == "draft" and created["QT-NB-03"].meta.revision == 1


def test_new_rejects_an_unknown_kind(repo):
    result = run_eiso("new", "--kind", "quy-trinh", "--unit", "VP", "X", cwd=repo)
    assert result.returncode == 2 and "không hợp lệ" in result.stderr


def test_new_twice_for_one_field_follows_its_scheme_and_folder(repo):
    # The field "Hộ tịch" already uses QT-HT-01 in procedures/tthc/: the new drafts follow it.
    args = ("new", "--kind", "tthc", "--unit", "Tư pháp - Hộ tịch", "--field", "Hộ tịch")
    first = run_eiso(*args, "Đăng ký khai sinh lưu động", cwd=repo)
    second = run_eiso(*args, "Đăng ký kết hôn lưu động", cwd=repo)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert (repo / "procedures/tthc/qt-ht-02-dang-ky-khai-sinh-luu-dong.md").is_file()
    assert (repo / "procedures/tthc/qt-ht-03-dang-ky-ket-hon-luu-dong.md").is_file()
    check = run_eiso("check", "--format", "json", cwd=repo)
    import json

    findings = json.loads(check.stdout)
    assert not [f for f in findings if f["severity"] == "error"], findings
    # A draft TTHC still lacks its facts: that is said, as a warning.
    assert {f["path"] for f in findings if f["field"] == "tthc"} == {
        "procedures/tthc/qt-ht-02-dang-ky-khai-sinh-luu-dong.md", "procedures/tthc/qt-ht-03-dang-ky-ket-hon-luu-dong.md"}


def test_an_invalid_document_still_owns_its_code(repo):
    broken = repo / "procedures" / "tthc" / "hong.md"
    broken.write_text("---\ncode: QT-HT-07\nkind: tthc\nfield: Hộ tịch\n---\nthiếu mọi khóa bắt buộc\n", encoding="utf-8")
    result = run_eiso("new", "--kind", "tthc", "--unit", "VP", "--field", "Hộ tịch", "Thủ tục mới", cwd=repo)
    assert result.returncode == 0 and "QT-HT-08" in result.stdout, result.stdout + result.stderr


def test_a_new_field_gets_its_own_folder(repo):
    result = run_eiso("new", "--kind", "tthc", "--unit", "VP", "--field", "Đất đai", "Hòa giải tranh chấp", cwd=repo)
    assert result.returncode == 0
    assert (repo / "procedures/tthc/dat-dai/qt-tthc-01-hoa-giai-tranh-chap.md").is_file()


def test_new_from_a_national_record(repo):
    import json

    record = {"code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "level": "Cấp xã", "field": "Hộ tịch",
              "agency": "Ủy ban nhân dân cấp xã", "applicants": "Công dân Việt Nam", "result": "Giấy khai sinh",
              "channels": [{"channel": "Trực tiếp", "time": {"value": 1, "unit": "working_days"},
                            "fee_and_notes": "Miễn phí"}],
              "dossier": [{"name": "Tờ khai đăng ký khai sinh", "forms": [], "originals": 1, "copies": 0}],
              "legal_basis": [{"title": "Luật Hộ tịch", "code": "60/2014/QH13"}]}
    (repo / "national.jsonl").write_text(json.dumps({"code": "2.000001", "name": "Khác"}) + "\n"
                                         + json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run_eiso("new", "--kind", "tthc", "--unit", "Tư pháp - Hộ tịch", "--national-code", "1.001193",
                      "--from", "national.jsonl", cwd=repo)
    assert result.returncode == 0, result.stderr
    doc = {d.meta.code: d for d in load_corpus(repo).documents}["QT-HT-02"]  # the field's scheme, not the importer's
    assert doc.meta.title == "Thủ tục đăng ký khai sinh" and doc.meta.status.value == "draft"
    assert doc.meta.tthc.national_code == "1.001193" and doc.meta.tthc.dossier[0].name == "Tờ khai đăng ký khai sinh"
    assert doc.meta.tthc.channels[0].time.value == 1 and doc.meta.legal_basis[0].code == "60/2014/QH13"
    findings = json.loads(run_eiso("check", "--format", "json", cwd=repo).stdout)
    assert not [f for f in findings if f["severity"] == "error"], findings


def _document_files(repo):
    return sorted(p.relative_to(repo).as_posix() for p in (repo / "procedures").rglob("*") if p.is_file())


def test_hidden_characters_in_a_document_title_unit_or_field_are_refused_before_any_file(repo):
    before = _document_files(repo)
    cases = [(("--unit", "Văn phòng", "Sổ\x7f theo dõi"), "tên tài liệu", "U+007F"),
             (("--unit", "Văn phòng", "Hộ tịch\u2028giả"), "tên tài liệu", "U+2028"),
             (("--unit", "Văn phòng", "bad\udcff"), "tên tài liệu", "U+DCFF"),  # bytes that are not UTF-8
             (("--unit", "Văn\x01 phòng", "Đánh giá"), "--unit", "U+0001"),
             (("--unit", "Văn phòng", "--field", "Hộ\u202e tịch", "Đánh giá"), "--field", "U+202E")]
    for args, field, char in cases:
        result = run_eiso("new", "--kind", "system", *args, cwd=repo)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert field in result.stderr and char in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and "không mong đợi" not in result.stderr
    assert _document_files(repo) == before
