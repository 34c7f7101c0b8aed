"""The public portal: a projection of the corpus with nothing internal in any file."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
import subprocess

import pytest
from conftest import build_site, soup
from factory import REPO, make_repo, system_meta, tthc_meta, write_doc

CANARIES = {
    "internal_doc_title": "CANARY-INTERNAL-TITLE-7f3a",
    "internal_doc_body": "CANARY-INTERNAL-BODY-91bd",
    "internal_doc_code": "QT-CANARY-NB-05",
    "prepared_by": "CANARY-PREPARER-2c11",
    "reviewed_title": "CANARY-REVIEWER-TITLE-88e0",
    "approved_by": "CANARY-APPROVER-5d42",
    "record": "CANARY-RECORD-0b6e",
    "record_keeper": "CANARY-KEEPER-4411",
    "unit": "CANARY-UNIT-a1a1",
    "internal_section": "CANARY-INTERNAL-SECTION-3e9f",
    "unmarked_section": "CANARY-UNMARKED-SECTION-4c4c",
    "step_actor": "CANARY-STEP-ACTOR-e7e7",
    "internal_form": "CANARY-INTERNAL-FORM-77ab",
    # Another (internal) document's form files, named by the public procedure as forms of its dossier.
    "other_doc_form": "CANARY-OTHER-DOC-FORM-3c3c",
    "linked_form": "CANARY-LINKED-FORM-9d9d",
    "step_output": "CANARY-STEP-OUTPUT-5150",
    "draft_tthc": "CANARY-DRAFT-TTHC-c0de",
    "internal_tthc": "CANARY-INTERNAL-TTHC-1d1d",
    "commit_author": "CANARY-GIT-AUTHOR-9a9a",
    "commit_message": "CANARY-COMMIT-MESSAGE-6b6b",
    # QMS records (issue 17): internal, always; a nonconformity even concerns the public procedure.
    "qms_code": "NC-CANARY-2026-01",
    "qms_title": "CANARY-QMS-TITLE-e17e",
    "qms_person": "CANARY-QMS-PERSON-17aa",
    "qms_audit": "DGNB-CANARY-2026-01",
    "qms_auditor": "CANARY-QMS-AUDITOR-1717",
    "qms_review_chair": "CANARY-QMS-CHAIR-7171",
}


def canary_repo(root):
    repo = make_repo(root)
    shutil.copy(REPO / "mkdocs.public.yml", repo / "mkdocs.public.yml")
    (repo / "docs-public").mkdir()
    (repo / "docs-public" / "index.md").write_text("# Thủ tục hành chính\n", encoding="utf-8")
    c = CANARIES
    public = tthc_meta(
        code="QT-TTHC-01", unit=c["unit"],
        prepared_by={"name": c["prepared_by"], "title": "Công chức"},
        reviewed_by={"name": "Trần Văn Bình", "title": c["reviewed_title"]},
        approved_by={"name": c["approved_by"], "title": "Chủ tịch"},
        records=[{"name": c["record"], "keeper": c["record_keeper"], "retention": "5 năm"}],
        related=[c["internal_doc_code"], "QT-HT-01"],
    )
    public["steps"][0]["output"] = c["step_output"]
    public["steps"][0]["actor"] = c["step_actor"]  # the internal steps table never reaches citizens
    public["tthc"]["citizen_steps"] = ["Nộp hồ sơ tại Bộ phận một cửa", "Nhận kết quả theo giấy hẹn"]
    public["forms"].append({"code": "BM-NB-99", "title": c["internal_form"], "file": "forms/noi-bo.docx"})
    (repo / "procedures" / "tthc" / "forms" / "noi-bo.docx").write_bytes(c["internal_form"].encode())
    write_foreign_forms(repo, public, c)
    # Public is opt-in: only the sections marked {.public} (and their sub-sections) reach citizens.
    body = (f"{c['unmarked_section']} trước đề mục.\n\n## 1. Mục đích {{.public}}\n\nCông khai.\n\n"
            f"## 2. Ghi chú nội bộ {{.internal}}\n\n{c['internal_section']}\n\n"
            f"### 2.1 Chi tiết\n\nVẫn nội bộ {c['internal_section']}.\n\n## 3. Phạm vi {{.public}}\n\nCông khai tiếp.\n\n"
            f"### 3.1 Chi tiết\n\nCông khai con.\n\n## 4. Không đánh dấu\n\n{c['unmarked_section']}\n")
    write_doc(repo, "tthc/cong-khai.md", public, body)
    write_doc(repo, "he-thong/noi-bo.md", system_meta(code=c["internal_doc_code"], title=c["internal_doc_title"]),
              f"## Nội dung\n\n{c['internal_doc_body']}\n")
    draft = tthc_meta(code="QT-TTHC-02", title=c["draft_tthc"], status="draft")
    write_doc(repo, "tthc/du-thao.md", draft)
    write_doc(repo, "tthc/noi-bo.md", tthc_meta(code="QT-TTHC-03", title=c["internal_tthc"], audience="internal"))
    write_canary_records(repo, c)
    git = ["git", "-c", f"user.name={c['commit_author']}", "-c", "user.email=canary@example.vn"]
    # Committed before the effective date, so the page's "updated" date is the effective date.
    env = dict(os.environ, GIT_AUTHOR_DATE="2025-02-01T08:00:00+07:00", GIT_COMMITTER_DATE="2025-02-01T08:00:00+07:00")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", f"Ban hành {c['commit_message']}\n\nSee merge request xa/e-iso!1\n\n"
                    f"Approved-by: {c['approved_by']} <a@example.vn>"], cwd=repo, check=True, env=env)
    return repo


def write_foreign_forms(repo, meta, c):
    """Two forms of the internal system folder named by a public procedure: by a path out of its folder, and
    by a link in its own forms folder that points there."""
    other = repo / "procedures" / "he-thong" / "forms"
    other.mkdir(parents=True, exist_ok=True)
    (other / "BM-NB-01.docx").write_bytes(c["other_doc_form"].encode())
    (other / "BM-NB-02.docx").write_bytes(c["linked_form"].encode())
    (repo / "procedures" / "tthc" / "forms" / "to-khai-2.docx").symlink_to("../../he-thong/forms/BM-NB-02.docx")
    meta["forms"] += [{"code": "BM-HT-01-02", "title": "Tờ khai 2", "file": "../he-thong/forms/BM-NB-01.docx"},
                      {"code": "BM-HT-01-03", "title": "Tờ khai 3", "file": "forms/to-khai-2.docx"}]
    meta["tthc"]["dossier"] += [{"name": "Tờ khai 2", "form": "BM-HT-01-02", "originals": 1, "copies": 0},
                                {"name": "Tờ khai 3", "form": "BM-HT-01-03", "originals": 1, "copies": 0}]


def write_canary_records(repo, c):
    from records_factory import audit, nc, review, write_record

    write_record(repo, "2025/nc.md", nc(c["qms_code"], title=c["qms_title"], documents=["QT-TTHC-01"], found="2025-01-20",
                                        found_by={"name": c["qms_person"]}, audit=c["qms_audit"],
                                        actions=[{"action": "Sửa", "owner": "A", "due": "2025-01-25"}]))
    write_record(repo, "2025/dgnb.md", audit(c["qms_audit"], date="2025-01-20", findings=[c["qms_code"]],
                                             auditors=[{"name": c["qms_auditor"]}]))
    write_record(repo, "2025/xxld.md", review("XXLD-2025-01", date="2025-01-30", chaired_by={"name": c["qms_review_chair"]}))


def all_text(site):
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            yield path, data.decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    repo = canary_repo(tmp_path_factory.mktemp("public") / "repo")
    public_result, public_site = build_site(repo, "--public", site="site-public")
    assert public_result.returncode == 0, public_result.stderr
    intranet_result, intranet_site = build_site(repo)
    assert intranet_result.returncode == 0, intranet_result.stderr
    return repo, public_site, intranet_site


DOCUMENT_CANARIES = [k for k in CANARIES if not k.startswith("commit")]


def test_no_canary_in_any_public_file(built):
    _, public_site, _ = built
    leaks = [(path.relative_to(public_site).as_posix(), name)
             for path, text in all_text(public_site) for name, canary in CANARIES.items() if canary in text]
    assert leaks == []


def test_intranet_contains_every_document_canary(built):
    _, _, intranet_site = built
    everything = "\n".join(text for _, text in all_text(intranet_site))
    missing = [name for name in DOCUMENT_CANARIES if CANARIES[name] not in everything]
    assert missing == []


def test_public_site_has_the_public_procedure_only(built):
    _, site, _ = built
    # QT-HT-01 of the base repository is public too; drafts and internal TTHC are not.
    assert sorted(p.name for p in (site / "thu-tuc").iterdir()) == ["qt-ht-01", "qt-tthc-01"]
    assert not (site / "quy-trinh").exists() and not (site / "danh-muc").exists()
    # No QMS record page, register or link to one (issue 17).
    assert not (site / "ho-so").exists()
    assert not [p for p, text in all_text(site) if "ho-so/" in text]


def test_public_procedure_page(built):
    _, site, _ = built
    page = soup(site / "thu-tuc" / "qt-tthc-01" / "index.html")
    dossier = page.select(".eiso-dossier tbody tr")
    assert [r.select("td")[1].get_text(strip=True) for r in dossier] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Tờ khai 2", "Tờ khai 3"]
    assert all(r.select_one(".eiso-box") for r in dossier)  # tick boxes
    assert dossier[0].select_one("a[download]")["href"] == "bieu-mau/BM-HT-01-01.docx"
    channels = page.select_one(".eiso-channels").get_text(" ", strip=True)
    assert "Trực tuyến" in channels and "1 ngày làm việc" in channels and "Miễn phí" in channels
    facts = page.select_one(".eiso-facts").get_text(" ", strip=True)
    assert "1.001193" in facts and "Công dân Việt Nam" in facts and "Giấy khai sinh" in facts
    assert "Cập nhật thông tin 01/03/2025" in facts
    assert "123/2015/NĐ-CP" in page.select_one(".eiso-legal").get_text()
    body = page.select_one(".eiso-body").get_text(" ", strip=True)
    assert "Công khai." in body and "Công khai tiếp." in body and "Công khai con." in body
    steps = [li.get_text(strip=True) for li in page.select(".eiso-citizen-steps li")]
    assert steps == ["Nộp hồ sơ tại Bộ phận một cửa", "Nhận kết quả theo giấy hẹn"]
    assert page.select_one(".eiso-qr svg") is not None
    related = [a.get_text() for a in page.select(".eiso-doc a")]
    assert not any("CANARY" in text for text in related)
    ld = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert ld["@type"] == "GovernmentService" and ld["identifier"] == "1.001193"
    assert ld["url"] == "https://thutuc.hoabinh.example.vn/thu-tuc/qt-tthc-01/"


def test_open_data_json_and_csv_match_the_corpus(built):
    _, site, _ = built
    records = json.loads((site / "api" / "tthc.json").read_text(encoding="utf-8"))
    assert [r["code"] for r in records] == ["QT-HT-01", "QT-TTHC-01"]
    record = records[1]
    assert record["code"] == "QT-TTHC-01" and record["national_code"] == "1.001193"
    assert record["level"] == "Cấp xã" and record["agency"] == "UBND cấp xã" and record["field"] == "Hộ tịch"
    assert [d["name"] for d in record["dossier"]] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Tờ khai 2", "Tờ khai 3"]
    assert record["channels"][0] == {"channel": "Trực tiếp", "time": {"value": 1.0, "unit": "working_days"}, "fee": "Miễn phí"}
    assert {r["code"] for r in record["legal_basis"]} == {"60/2014/QH13", "123/2015/NĐ-CP"}
    assert record["url"] == "thu-tuc/qt-tthc-01/"
    raw = (site / "api" / "tthc.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["code"] for r in rows] == ["QT-HT-01", "QT-TTHC-01"] and rows[1]["national_code"] == "1.001193"
    assert "Giấy chứng sinh (1 bản chính, 0 bản sao)" in rows[1]["dossier"]
    assert rows[1]["time"] == "1 ngày làm việc" and rows[1]["fee"] == "Miễn phí"


def test_indexes_by_field_and_level(built):
    _, site, _ = built
    by_field = soup(site / "linh-vuc" / "index.html")
    assert "Hộ tịch" in [h.get_text(strip=True) for h in by_field.select("h2")]
    by_level = soup(site / "cap" / "index.html")
    links = {a["href"] for a in by_level.select("table a")}
    assert links == {"../thu-tuc/qt-ht-01/", "../thu-tuc/qt-tthc-01/"}


def test_citizen_steps_on_the_intranet_page_and_in_open_data(built):
    _, public_site, intranet_site = built
    expected = ["Nộp hồ sơ tại Bộ phận một cửa", "Nhận kết quả theo giấy hẹn"]
    page = soup(intranet_site / "quy-trinh" / "qt-tthc-01" / "index.html")
    assert [li.get_text(strip=True) for li in page.select(".eiso-citizen-steps li")] == expected
    records = json.loads((public_site / "api" / "tthc.json").read_text(encoding="utf-8"))
    assert next(r for r in records if r["code"] == "QT-TTHC-01")["citizen_steps"] == expected


@pytest.mark.parametrize("url", ["https://dichvucong.example.vn/thu-tuc/qt-tthc-1-001193/",
                                 "https://cong.example.vn/" + "thu-tuc/" * 12 + "dang-ky-khai-sinh/",
                                 "https://hoa-binh.gov.vn/thu-tuc/đăng-ký/?q=1&x=<a>", "h"])
def test_qr_code_is_the_one_segno_draws(url):
    # e-ISO writes the SVG itself (segno's writer was a third of a public page's time): it must be the symbol
    # segno's own writer draws for the same code, which readers decode.
    import segno

    from eiso.sites.public import QR_MASK, qr_svg

    expected = segno.make(url, error="m", micro=False, mask=QR_MASK).svg_inline(
        scale=3, border=2, title="Mã QR", dark="#000", light="#fff")
    assert qr_svg(url) == expected


def test_the_updated_date_is_that_of_the_revision_in_force_never_of_an_upcoming_one(tmp_path):
    import datetime as dt

    from gitrepo import Git

    def midnight(day: str) -> int:
        return int(dt.datetime.fromisoformat(f"{day}T00:00:00+07:00").timestamp())

    repo = make_repo(tmp_path / "repo")
    shutil.copy(REPO / "mkdocs.public.yml", repo / "mkdocs.public.yml")
    (repo / "docs-public").mkdir()
    (repo / "docs-public" / "index.md").write_text("# Thủ tục hành chính\n", encoding="utf-8")
    git = Git(repo).init()
    git.clock = midnight("2025-08-10")  # revision 2 (effective 2025-03-01), last changed on 10/08/2025
    git.commit_all("Sửa lỗi chính tả lần ban hành 2")
    git.clock = midnight("2026-11-16") + 9 * 3600  # revision 3 merged on 16/11/2026, in force only from 01/06/2027
    git.merge_request("lan-3", "Ban hành lần 3", 2, lambda: write_doc(
        repo, "tthc/khai-sinh.md", tthc_meta(revision=3, effective="2027-06-01")), approver="Lê Văn Cường")
    result, site = build_site(repo, "--public", "--as-of", "2026-12-01", site="site-public")
    assert result.returncode == 0, result.stderr

    records = json.loads((site / "api" / "tthc.json").read_text(encoding="utf-8"))
    assert [(r["code"], r["effective"], r["updated"]) for r in records] == [("QT-HT-01", "2025-03-01", "2025-08-10")]
    assert "10/08/2025" in (site / "thu-tuc" / "qt-ht-01" / "index.html").read_text(encoding="utf-8")
    shown = [path.relative_to(site).as_posix() for path, text in all_text(site)
             if "16/11/2026" in text or "2026-11-16" in text]
    assert shown == []


def test_a_public_procedure_publishes_only_its_own_form_files(tmp_path):
    from eiso.documents.checks import check_document
    from eiso.documents.loader import load_corpus
    from eiso.sites.projection import project

    repo = make_repo(tmp_path / "repo")
    meta = tthc_meta()
    write_foreign_forms(repo, meta, CANARIES)
    write_doc(repo, "tthc/khai-sinh.md", meta)
    doc = next(d for d in load_corpus(repo).documents if d.meta.code == "QT-HT-01")

    [proc] = [p for p in project([doc], repo) if p.code == "QT-HT-01"]
    sources = {form.code: form.source for form in proc.forms}
    assert sources["BM-HT-01-01"] == repo / "procedures" / "tthc" / "forms" / "BM-HT-01-01.docx"
    assert sources["BM-HT-01-02"] is None and sources["BM-HT-01-03"] is None

    # eiso check says where, and why the citizen will not get the file.
    found = {f.field: f for f in check_document(doc, repo) if f.rule == "public-form-file"}
    assert sorted(found) == ["forms[1].file", "forms[2].file"]
    assert all(f.severity == "warning" and f.line > 1 for f in found.values())
    assert "nằm ngoài thư mục của tài liệu «procedures/tthc/»" in found["forms[1].file"].message
    assert "cổng công khai chỉ đăng biểu mẫu của chính tài liệu" in found["forms[2].file"].message


def test_what_a_public_page_gives_the_search_is_its_text_never_its_labels(built):
    # Results showed "Mã QR Quét mã để mở trang này … Đã có Tên giấy tờ Bản chính Bản sao ☐" as their excerpt.
    from eiso.search.entries import plain_text

    _, site, _ = built
    html = (site / "thu-tuc" / "qt-tthc-01" / "index.html").read_text(encoding="utf-8")
    article = html[html.index('<div class="eiso-doc eiso-public"'):html.index("</article>")]
    text = plain_text(article)
    for label in ("Mã QR", "Quét mã", "Đã có", "Tên giấy tờ", "Bản chính", "Bản sao", "Mẫu đơn, tờ khai", "☐",
                  "Tải mẫu", "Cách thức nộp", "Mã thủ tục", "Cấp thực hiện", "Cập nhật thông tin"):
        assert label not in text, (label, text)
    assert text.startswith("1. Mục đích Công khai.")  # the page's own text first
    assert "GovernmentService" not in text  # nor its JSON-LD
    for fact in ("Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "BM-HT-01-01", "Trực tuyến", "1 ngày làm việc", "Miễn phí",
                 "Nhận kết quả theo giấy hẹn", "123/2015/NĐ-CP"):
        assert fact in text, (fact, text)


def test_what_an_intranet_page_gives_the_search_is_its_text_never_its_labels(built):
    from eiso.search.entries import plain_text

    _, _, site = built
    html = (site / "quy-trinh" / "qt-tthc-01" / "index.html").read_text(encoding="utf-8")
    text = plain_text(html[html.index('<div class="eiso-doc'):html.index("</article>")])
    for label in ("Mã hiệu", "Lần ban hành", "Tên giấy tờ", "Bản chính", "Phí, lệ phí", "Mã thủ tục (CSDL quốc gia)",
                  "Cấp thực hiện", "Trách nhiệm", "Tổng thời gian xử lý", "Thời hạn quy định", "Tải biểu mẫu",
                  "Mã biểu mẫu", "Người lưu"):
        assert label not in text, (label, text)
    for fact in ("1.001193", "Giấy chứng sinh", "Tờ khai đăng ký khai sinh", "BM-HT-01-01", "Công khai."):
        assert fact in text, (fact, text)


def test_ways_of_applying_with_the_same_time_and_fee_are_one_row() -> None:
    from eiso.documents.model import Channel
    from eiso.sites.renderer import same_terms

    five = {"value": 5, "unit": "working_days"}
    channels = [Channel(channel="Trực tiếp", time=five, fee="Miễn phí"),
                Channel(channel="Trực tuyến", time=five, fee="Miễn phí"),
                Channel(channel="Dịch vụ bưu chính", time=five, fee="20.000 đồng"),
                Channel(channel="Trực tiếp", time=five, fee="Miễn phí"),  # national data repeats rows word for word
                Channel(channel="Dịch vụ bưu chính", time={"value": 7, "unit": "working_days"}, fee="20.000 đồng"),
                Channel(channel="Trực tuyến", time=None, fee="Miễn phí")]
    rows = [(names, time.value if time else None, fee) for names, time, fee in same_terms(channels)]
    assert rows == [("Trực tiếp, Trực tuyến", 5, "Miễn phí"), ("Dịch vụ bưu chính", 5, "20.000 đồng"),
                    ("Dịch vụ bưu chính", 7, "20.000 đồng"), ("Trực tuyến", None, "Miễn phí")]
