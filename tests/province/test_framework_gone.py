"""A framework document the province withdraws, or breaks, after agencies adopted it: every user of the
framework (eiso check, eiso adopt, the province portal) says so, and none treats it as current."""

from __future__ import annotations

from pathlib import Path

import yaml

from conftest import build_site, run_eiso, soup
from framework_repos import FW_CODE, FW_SYSTEM, make_agency, make_framework, run_git, write
from gitrepo import Git

SYSTEM_FILE = "procedures/he-thong/qt-khung-01.md"
TTHC_FILE = "procedures/tthc/khai-sinh.md"


def adopting_agency(base: Path, framework: Path, name: str) -> Path:
    agency = make_agency(base / name, framework)
    result = run_eiso("adopt", "--all", "--effective", "2025-06-01", cwd=agency)
    assert result.returncode == 0, result.stderr
    Git(agency).commit_all("Áp dụng mô hình khung")
    return agency


def change_framework(framework: Path, path: str, change, message: str) -> None:
    text = (framework / path).read_text(encoding="utf-8")
    write(framework, path, change(text))
    Git(framework).commit_all(message)


def follow(agency: Path) -> None:
    run_git(agency / "khung", "pull", "-q", "origin", "main")
    Git(agency).commit_all("Cập nhật mô hình khung")


def province(base: Path, framework: Path, agencies: dict[str, Path]):
    config = base / "province.yml"
    config.write_text(yaml.safe_dump({"province": "Tỉnh Thử", "framework": {"name": "Khung", "repository": str(framework)},
                                      "agencies": [{"name": f"UBND xã {name}", "code": name, "data": str(site)}
                                                   for name, site in agencies.items()]}, allow_unicode=True),
                      encoding="utf-8")
    return run_eiso("province", "build", str(config), "-d", str(base / "portal"), cwd=base, timeout=120)


def test_a_withdrawn_framework_document_is_reported_and_never_adopted(tmp_path):
    framework = make_framework(tmp_path / "khung")
    agency = adopting_agency(tmp_path, framework, "dong-tam")
    change_framework(framework, SYSTEM_FILE, lambda t: t.replace("status: effective", "status: withdrawn")
                     .replace("revision: 1", "revision: 2"), "Khung: bãi bỏ QT-KHUNG-01")
    follow(agency)
    local = next(p for p in (agency / "procedures").rglob("*.md") if FW_SYSTEM in p.read_text(encoding="utf-8"))
    rel = local.relative_to(agency).as_posix()
    before = local.read_text(encoding="utf-8")
    line = before.splitlines().index(next(l for l in before.splitlines() if l.startswith("based_on:"))) + 1

    check = run_eiso("check", cwd=agency)
    assert (f"{rel}:{line}: based_on.code: cảnh báo: tài liệu khung {FW_SYSTEM} đã bị bãi bỏ trong mô hình khung "
            "(lần ban hành 2") in check.stdout
    assert f"lần ban hành 1 của tài liệu khung {FW_SYSTEM}" not in check.stdout  # not "behind": nothing to move to

    update = run_eiso("adopt", "--update", FW_SYSTEM, cwd=agency)
    assert update.returncode == 1 and "đã bị bãi bỏ" in update.stderr and "status: withdrawn" in update.stderr
    assert local.read_text(encoding="utf-8") == before  # the agency's file is left for the agency to decide

    newcomer = make_agency(tmp_path / "moi", framework)
    run_git(newcomer / "khung", "pull", "-q", "origin", "main")
    adopted = run_eiso("adopt", "--all", "--effective", "2025-06-01", cwd=newcomer)
    assert adopted.returncode == 0 and FW_SYSTEM not in adopted.stdout and FW_CODE in adopted.stdout
    single = run_eiso("adopt", FW_SYSTEM, cwd=newcomer)
    assert single.returncode == 1 and f"{FW_SYSTEM}: tài liệu khung {FW_SYSTEM} đã bị bãi bỏ" in single.stderr

    result, site = build_site(agency)
    assert result.returncode == 0, result.stderr
    portal = province(tmp_path, framework, {"dong-tam": site})
    assert portal.returncode == 0, portal.stderr
    listed = [a.get_text(strip=True) for a in soup(tmp_path / "portal" / "khung" / "index.html").select("article td a")]
    assert FW_CODE in listed and FW_SYSTEM not in listed
    assert not (tmp_path / "portal" / "khung" / "qt-khung-01").exists()


def test_a_framework_document_that_does_not_load_is_never_silently_dropped(tmp_path):
    framework = make_framework(tmp_path / "khung")
    agency = adopting_agency(tmp_path, framework, "dong-tam")
    # Revision 4 of the TTHC, merged with a duplicated key: the file no longer loads at the framework's HEAD.
    change_framework(framework, TTHC_FILE, lambda t: t.replace("revision: 3", "revision: 4\nrevision: 4"),
                     "Khung: khai sinh lần 4 (lỗi)")
    follow(agency)

    check = run_eiso("check", cwd=agency)
    assert "Traceback" not in check.stderr
    assert (f"based_on.code: cảnh báo: tài liệu khung {FW_CODE} có lỗi ở commit đang ghim của mô hình khung"
            in check.stdout)
    assert f"{TTHC_FILE}:" in check.stdout  # where the framework's file is broken

    newcomer = make_agency(tmp_path / "moi", framework)
    run_git(newcomer / "khung", "pull", "-q", "origin", "main")
    adopted = run_eiso("adopt", "--all", "--effective", "2025-06-01", cwd=newcomer)
    assert adopted.returncode == 1
    assert f"mô hình khung «khung/»: không áp dụng được tệp có lỗi: {TTHC_FILE}:" in adopted.stderr
    assert FW_SYSTEM in adopted.stdout  # the readable documents are still adopted

    result, site = build_site(agency)
    assert result.returncode == 0, result.stderr
    portal = province(tmp_path, framework, {"dong-tam": site})
    assert portal.returncode == 1
    assert f"mô hình khung: tài liệu có lỗi, không được liệt kê: {TTHC_FILE}:" in portal.stderr
    banner = soup(tmp_path / "portal" / "index.html").select_one("article [role=alert]").get_text(" ", strip=True)
    assert TTHC_FILE in banner
