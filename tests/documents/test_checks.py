"""Every rule of `eiso check`, each with a file that breaks it."""

from __future__ import annotations

from pathlib import Path

import pytest
from factory import document_text, make_repo, system_meta, tthc_meta, write_doc

from eiso.documents.checks import check_corpus
from eiso.documents.loader import load_corpus


def findings_for(root: Path):
    return check_corpus(load_corpus(root))


def line_of(path: Path, prefix: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if line.strip().startswith(prefix):
            return number
    raise AssertionError(prefix)


def only(findings, field: str):
    matching = [f for f in findings if f.field == field]
    assert len(matching) == 1, findings
    return matching[0]


def test_clean_repository_has_no_findings(tmp_path):
    assert findings_for(make_repo(tmp_path)) == []


def test_yaml_that_does_not_parse(tmp_path):
    path = tmp_path / "procedures" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\ncode: QT-01\ntitle: [Đăng ký\nkind: tthc\n---\nbody\n", encoding="utf-8")
    (finding,) = findings_for(tmp_path)
    assert finding.path == "procedures/x.md" and finding.line in (3, 4, 5)
    assert "YAML không hợp lệ" in finding.message


def test_missing_front_matter(tmp_path):
    path = tmp_path / "procedures" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_text("# Chỉ có nội dung\n", encoding="utf-8")
    (finding,) = findings_for(tmp_path)
    assert (finding.line, finding.field) == (1, "-") and "thiếu phần đầu YAML" in finding.message


def test_unknown_key_with_suggestion_and_missing_required(tmp_path):
    meta = system_meta()
    del meta["unit"]
    meta["titel"] = "Sai chính tả"
    path = write_doc(tmp_path, "x.md", meta)
    findings = findings_for(tmp_path)
    unknown = only(findings, "titel")
    assert unknown.line == line_of(path, "titel:") and "có phải «title»" in unknown.message
    missing = only(findings, "unit")
    assert "thiếu trường bắt buộc" in missing.message


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("revision", "hai", "số nguyên"),
        ("revision", 0, "lớn hơn hoặc bằng 1"),
        ("kind", "quy-trinh", "chỉ chấp nhận: policy"),
        ("status", "active", "chỉ chấp nhận: draft"),
        ("audience", "everyone", "chỉ chấp nhận: public"),
        ("effective", "01/03/2025", "cần dạng YYYY-MM-DD"),
        ("effective", "2025-02-30", "không tồn tại"),
        ("related", "QT-01", "danh sách"),
        ("approved_by", "Lê Văn Cường", "khóa: giá trị"),
    ],
)
def test_wrong_types_and_enum_values(tmp_path, key, value, words):
    path = write_doc(tmp_path, "x.md", system_meta(**{key: value}))
    finding = only(findings_for(tmp_path), key)
    assert finding.line == line_of(path, f"{key}:")
    assert words in finding.message


def test_nested_field_is_named_and_located(tmp_path):
    meta = tthc_meta()
    meta["tthc"]["dossier"][1]["copies"] = -2
    meta["tthc"]["channels"][0]["time"]["unit"] = "weeks"
    write_doc(tmp_path, "x.md", meta)
    findings = findings_for(tmp_path)
    assert "lớn hơn hoặc bằng 0" in only(findings, "tthc.dossier[1].copies").message
    assert "working_days" in only(findings, "tthc.channels[0].time.unit").message


def test_duplicate_codes_compared_by_slug(tmp_path):
    write_doc(tmp_path, "a.md", system_meta(code="QT-NB-01"))
    write_doc(tmp_path, "b.md", system_meta(code="qt nb 01", title="Khác"))
    [finding] = [f for f in findings_for(tmp_path) if f.field == "code"]  # once per code, not per pair
    assert finding.path == "procedures/a.md" and "trùng" in finding.message and "procedures/b.md" in finding.message


def test_many_files_sharing_a_code_give_one_finding_naming_them(tmp_path):
    for i in range(30):
        write_doc(tmp_path, f"d{i:02}.md", system_meta(code="QT-NB-01", title=f"Bản {i}"))
    [finding] = [f for f in findings_for(tmp_path) if f.rule == "duplicate-code"]
    assert finding.path == "procedures/d00.md" and "30 tài liệu" in finding.message
    assert "procedures/d01.md" in finding.message and "procedures/d20.md" in finding.message
    assert "procedures/d21.md" not in finding.message and "và 9 tệp khác" in finding.message


def test_effective_document_needs_approver_and_date(tmp_path):
    meta = system_meta()
    del meta["approved_by"], meta["effective"]
    write_doc(tmp_path, "x.md", meta)
    findings = findings_for(tmp_path)
    assert "phê duyệt" in only(findings, "approved_by").message
    assert "ngày hiệu lực" in only(findings, "effective").message


def test_draft_needs_neither(tmp_path):
    meta = system_meta(status="draft")
    del meta["approved_by"], meta["effective"]
    write_doc(tmp_path, "x.md", meta)
    assert findings_for(tmp_path) == []


def test_tthc_document_needs_tthc(tmp_path):
    meta = tthc_meta()
    del meta["tthc"]
    path = write_doc(tmp_path, "x.md", meta)
    finding = only(findings_for(tmp_path), "tthc")
    assert finding.line == line_of(path, "kind:") and "phải có mục tthc" in finding.message


@pytest.mark.parametrize("status, severity", [("effective", "error"), ("draft", "warning")])
def test_empty_national_code_is_an_error_until_a_draft(tmp_path, status, severity):
    meta = tthc_meta(status=status)
    meta["tthc"]["national_code"] = ""
    path = write_doc(tmp_path, "x.md", meta)
    finding = only(findings_for(tmp_path), "tthc.national_code")
    assert finding.severity == severity and finding.line == line_of(path, "national_code:")


def test_form_file_missing_or_outside_repository(tmp_path):
    (tmp_path / "secret.docx").write_bytes(b"x")
    meta = system_meta(forms=[
        {"code": "BM-01", "title": "Mẫu 1", "file": "forms/khong-co.docx"},
        {"code": "BM-02", "title": "Mẫu 2", "file": "../../../etc/passwd"},
        {"code": "BM-03", "title": "Mẫu 3", "file": "/etc/passwd"},
    ])
    write_doc(tmp_path / "repo", "x.md", meta)
    findings = findings_for(tmp_path / "repo")
    assert "không tìm thấy" in only(findings, "forms[0].file").message
    assert "ngoài kho" in only(findings, "forms[1].file").message
    assert "ngoài kho" in only(findings, "forms[2].file").message


def test_form_symlink_pointing_outside_is_refused(tmp_path):
    outside = tmp_path / "outside.docx"
    outside.write_bytes(b"secret")
    meta = system_meta(forms=[{"code": "BM-01", "title": "Mẫu 1", "file": "forms/link.docx"}])
    write_doc(tmp_path / "repo", "x.md", meta)
    link = tmp_path / "repo" / "procedures" / "forms" / "link.docx"
    link.parent.mkdir()
    link.symlink_to(outside)
    assert "ngoài kho" in only(findings_for(tmp_path / "repo"), "forms[0].file").message


def test_related_code_that_does_not_exist(tmp_path):
    path = write_doc(tmp_path, "x.md", system_meta(related=["QT-NB-99"]))
    finding = only(findings_for(tmp_path), "related[0]")
    assert finding.line == line_of(path, "- QT-NB-99") and "QT-NB-99" in finding.message


def test_step_table_longer_than_shortest_channel(tmp_path):
    meta = tthc_meta()
    # 0.5 + 0.25 working days + 6 hours = 1.5 working days > 1 working day.
    meta["steps"][2]["time"] = {"value": 6, "unit": "hours"}
    write_doc(tmp_path, "x.md", meta)
    finding = only(findings_for(tmp_path), "steps")
    assert "vượt thời hạn" in finding.message and "1,5 ngày làm việc" in finding.message


def test_step_table_within_limit_after_unit_conversion(tmp_path):
    meta = tthc_meta()
    meta["steps"][2]["time"] = {"value": 2, "unit": "hours"}  # exactly 0.25 working days
    write_doc(tmp_path, "x.md", meta)
    assert [f for f in findings_for(tmp_path) if f.field == "steps"] == []


def test_mixed_units_are_reported_not_guessed(tmp_path):
    meta = tthc_meta()
    meta["steps"][2]["time"] = {"value": 1, "unit": "days"}
    write_doc(tmp_path, "x.md", meta)
    finding = only(findings_for(tmp_path), "steps")
    assert "không so sánh được" in finding.message


def test_unsafe_html_in_body_is_reported(tmp_path):
    body = "## 1\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[bấm](javascript:alert(1))\n"
    path = write_doc(tmp_path, "x.md", system_meta(), body)
    findings = [f for f in findings_for(tmp_path) if f.rule == "unsafe-html"]
    messages = " ".join(f.message for f in findings)
    assert "<script>" in messages and "onerror" in messages and "javascript:" in messages
    assert min(f.line for f in findings) == line_of(path, "<script>")


def test_render_macros_key_is_ignored_with_a_warning(tmp_path):
    path = write_doc(tmp_path, "x.md", system_meta(render_macros=True))
    (finding,) = findings_for(tmp_path)
    assert finding.severity == "warning" and finding.line == line_of(path, "render_macros:")


def test_untimed_steps_with_channels_of_mixed_units_are_fine(tmp_path):
    meta = tthc_meta()
    meta["tthc"]["channels"][1]["time"] = {"value": 3, "unit": "days"}
    for step in meta["steps"]:
        del step["time"]
    write_doc(tmp_path, "x.md", meta)
    assert [f for f in findings_for(tmp_path) if f.field == "steps"] == []


# ---------------------------------------------------------------- facts once (DESIGN.md)

RESTATING_BODY = """\
## 1. Mục đích

Quy định việc đăng ký khai sinh. Thời hạn giải quyết: 03 ngày làm việc kể từ khi nhận đủ hồ sơ.

## 5. Nội dung quy trình

### 5.2. Thanh phan ho so {.public}

- Tờ khai đăng ký khai sinh.

Căn cứ pháp lý
--------------

Luật Hộ tịch.

```
## Thành phần hồ sơ (trong khối mã: không phải tiêu đề)
```

## Ghi chú

Nhận hồ sơ sau 15 giờ thì trả kết quả trong 1 ngày làm việc tiếp theo. Lệ phí: 50.000 đồng.

Trường hợp phải xác minh, người yêu cầu bổ sung giấy tờ trong thời hạn 05 ngày làm việc (không phải thời hạn giải quyết).
"""


def test_body_restating_and_contradicting_the_front_matter(tmp_path):
    root = make_repo(tmp_path)
    path = write_doc(root, "tthc/khai-sinh.md", tthc_meta(), RESTATING_BODY)
    found = [f for f in findings_for(root) if f.rule.startswith("facts")]
    assert all(f.severity == "warning" and f.path == "procedures/tthc/khai-sinh.md" for f in found)
    located = sorted((f.rule, f.line) for f in found)
    assert located == sorted([
        ("facts-once", line_of(path, "### 5.2.")),  # numbered, unaccented, with an attribute list
        ("facts-once", line_of(path, "Căn cứ pháp lý")),  # a setext heading
        ("facts-contradiction", line_of(path, "Quy định việc")),  # 03 working days where the channels say 1
        ("facts-contradiction", line_of(path, "Nhận hồ sơ sau")),  # 50.000 đồng where the channels say free
    ]), found
    time = next(f for f in found if f.line == line_of(path, "Quy định việc"))
    assert "03 ngày làm việc" in time.message and "1 ngày làm việc" in time.message


def test_restated_heading_without_the_fact_is_not_reported(tmp_path):
    # The system procedure has no records in its front matter: a "Hồ sơ cần lưu" section is the only place.
    root = make_repo(tmp_path)
    write_doc(root, "he-thong/kiem-soat-tai-lieu.md", system_meta(), "## 7. Hồ sơ cần lưu\n\nSổ theo dõi.\n")
    assert [f for f in findings_for(root) if f.rule.startswith("facts")] == []


@pytest.mark.parametrize("title, fact", [
    ("5.2. Thành phần hồ sơ", "dossier"), ("5.2 Thành phần, số lượng hồ sơ", "dossier"),
    ("LỆ PHÍ", "fee"), ("5.6. Phí, lệ phí", "fee"), ("Thời hạn giải quyết", "time"), ("6. Biểu mẫu", "forms"),
    ("7. Hồ sơ cần lưu", "records"), ("III. Trình tự thực hiện", "citizen_steps"), ("5.7. Quy trình xử lý công việc", "steps"),
    ("1. Mục đích", None), ("Phiếu hẹn trả kết quả", None), ("Phí tổn khác", None),
])
def test_heading_fact(title, fact):
    from eiso.documents.restated import heading_fact

    assert heading_fact(title) == fact


def test_a_draft_tthc_without_its_facts_is_only_warned(tmp_path):
    root = make_repo(tmp_path)
    meta = tthc_meta(code="QT-HT-09", status="draft")
    del meta["tthc"]
    write_doc(root, "tthc/du-thao.md", meta)
    (finding,) = [f for f in findings_for(root) if f.path.endswith("du-thao.md")]
    assert finding.severity == "warning" and finding.field == "tthc"


@pytest.mark.parametrize("line", [
    "### 5.2. Thanh phan ho so {#ho-so .public}", "a) Lệ phí {.x}", "III. TRÌNH TỰ THỰC HIỆN", "Phí", "12 Phí",
    "1. {.phi}", "Phí tổn khác", "Ghi chú: lệ phí 50.000 đồng", "i Biểu mẫu", "c) Cách thức thực hiện:",
])
def test_the_heading_screen_keeps_every_line_that_announces_a_fact(line):
    # The screen reads only lines whose words start with an opening; it must agree with reading every line.
    from eiso.documents.restated import _ATTRIBUTES, Body, heading_fact, may_hold_fact_heading

    body = "Đoạn mở đầu.\n\n" + line + "\n"
    every_line = any(heading_fact(_ATTRIBUTES.sub("", text)) for text in body.split("\n") if text.strip())
    assert may_hold_fact_heading(Body.of(body)) == every_line


def test_heading_parses_cut_short_by_the_budget_leave_the_shared_parser_usable():
    # The facts-once parser is shared between bodies; conversions interrupted by the time budget at various
    # points left it broken ("Markdown failed to strip top-level tags" on a later body).
    import random

    from eiso.documents.budget import OverBudget, within_budget
    from eiso.documents.restated import parsed_headings

    good = "{: .x }\n\n## Thành phần hồ sơ\n\nGiấy tờ.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    slow = ["\n{: .x }" * 2000, "[ " * 6000 + "] " * 6000, "## a\n" * 8000, "T\n: d\n" * 3000]
    rng = random.Random(1)
    for _ in range(40):
        body = rng.choice(slow)
        try:
            within_budget(lambda: parsed_headings(body), seconds=rng.uniform(0.01, 0.15))
        except OverBudget:
            pass
        assert parsed_headings(good) == [(2, "Thành phần hồ sơ")]


def test_python_markdown_failing_on_a_body_gives_located_findings_and_the_check_goes_on(tmp_path, monkeypatch):
    # Python-Markdown has raised ValueError on some inputs ("failed to strip top-level tags"): each place the
    # check renders a body turns that into a finding on the document instead of stopping the whole check.
    import eiso.documents.budget as budget
    import eiso.documents.checks as checks
    import eiso.documents.htmlscan as htmlscan

    def broken(*args, **kwargs):
        raise ValueError("Markdown failed to strip top-level tags")

    monkeypatch.setattr(htmlscan, "render", broken)
    (finding,) = htmlscan.unsafe_html("p.md", "<b>đậm</b>\n", 7)
    assert (finding.line, finding.rule) == (7, "markdown-budget") and "ValueError" in finding.message

    class Broken:
        def markdown(self):
            return type("M", (), {"convert": staticmethod(broken)})()

    (finding,) = budget.render_budget("p.md", "[a] " * 500, 9, Broken())  # 500 openers: rendered on trial
    assert (finding.line, finding.rule, finding.severity) == (9, "markdown-budget", "error")

    monkeypatch.setattr(checks, "check_restated", broken)
    root = make_repo(tmp_path)
    write_doc(root, "tthc/khai-sinh.md", tthc_meta(), "## Lệ phí\n\nKhông.\n")
    found = [f for f in findings_for(root) if f.path.endswith("khai-sinh.md")]
    assert [(f.rule, f.severity) for f in found] == [("facts-once-budget", "warning")]
    assert "ValueError" in found[0].message
