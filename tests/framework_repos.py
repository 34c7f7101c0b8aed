"""A province in a temporary folder: a framework repository with history, and agencies adopting it."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import yaml

from factory import MKDOCS_YML, document_text, make_repo, system_meta, tthc_meta
from gitrepo import Git

FW_CODE = "QT-KHUNG-HT-01"
FW_SYSTEM = "QT-KHUNG-01"
PROVINCE = {"name": "Nguyễn Văn Tỉnh", "title": "Giám đốc Sở KH&CN"}
BODY_V1 = "## 1. Mục đích\n\nQuy định trình tự đăng ký khai sinh.\n\n## 2. Phạm vi áp dụng\n\nUBND cấp xã.\n"
BODY_V3 = BODY_V1 + "\n## 3. Nội dung mới của khung\n\nKiểm tra thông tin trên Cơ sở dữ liệu hộ tịch điện tử.\n"
AGENCY_OPTIONS = {
    "name": "UBND xã Tân Lập", "code": "25123", "district": "Huyện Đoan Hùng",
    "unit": "Văn phòng - Thống kê xã Tân Lập",
    "prepared_by": {"name": "Phạm Thị Hoa", "title": "Công chức Tư pháp - Hộ tịch"},
    "approver": {"name": "Đỗ Minh Quân", "title": "Chủ tịch UBND xã Tân Lập"},
}


def framework_meta(revision: int) -> dict:
    """The framework's TTHC at revision 1, 2 or 3 (2: fee changes; 3: a dossier item is added)."""
    meta = tthc_meta(FW_CODE, revision=revision, effective=f"2025-0{revision}-01", unit="Văn phòng - Thống kê",
                     approved_by=PROVINCE, prepared_by=None, reviewed_by=None)
    meta.pop("prepared_by"), meta.pop("reviewed_by")
    meta.pop("forms")
    meta["tthc"]["dossier"][0].pop("form")
    if revision >= 2:
        for channel in meta["tthc"]["channels"]:
            channel["fee"] = "8.000 đồng"
    if revision >= 3:
        meta["tthc"]["dossier"].append({"name": "Văn bản ủy quyền", "originals": 1, "copies": 0})
    return meta


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_framework(root: Path) -> Path:
    """Framework repository: the TTHC at revisions 1 -> 2 -> 3 and a system procedure, each merged with approval."""
    root.mkdir(parents=True)
    git = Git(root).init()
    (root / "mkdocs.yml").write_text("site_name: Mô hình khung\nplugins:\n  - eiso\n", encoding="utf-8")
    write(root, "procedures/he-thong/qt-khung-01.md",
          document_text(system_meta(FW_SYSTEM, approved_by=PROVINCE, title="Kiểm soát tài liệu (khung)")))
    write(root, "procedures/tthc/khai-sinh.md", document_text(framework_meta(1), BODY_V1))
    git.commit_all("Mô hình khung lần 1")
    for revision, body in ((2, BODY_V1), (3, BODY_V3)):
        git.merge_request(f"rev{revision}", f"Khung: khai sinh lần {revision}", revision,
                          lambda: write(root, "procedures/tthc/khai-sinh.md", document_text(framework_meta(revision), body)),
                          approver=PROVINCE["name"])
    return root


def mkdocs_yml(agency: dict) -> str:
    options = yaml.safe_dump({"framework": "khung/", "agency": agency}, allow_unicode=True, sort_keys=False)
    indented = "".join(f"      {line}\n" for line in options.splitlines())
    text = MKDOCS_YML.format(repo_url="https://gitlab.example.vn/xa/e-iso")
    return text.replace("  - eiso\n", "  - eiso:\n" + indented)


def make_agency(root: Path, framework: Path, agency: dict | None = None) -> Path:
    """An agency repository (the factory's two documents) with the framework as a git submodule at khung/."""
    make_repo(root)
    agency = copy.deepcopy(agency or AGENCY_OPTIONS)
    (root / "mkdocs.yml").write_text(mkdocs_yml(agency), encoding="utf-8")
    git = Git(root).init()
    git.commit_all("Khởi tạo")
    git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(framework), "khung")
    git.commit_all("Thêm mô hình khung (submodule)")
    return root


def adoption_text(revision: int, code: str = FW_CODE, local_code: str | None = None, body: str = "", **keys) -> str:
    meta = {"based_on": {"code": code, "revision": revision}, "code": local_code or code, "revision": 1,
            "effective": "2026-01-15", "status": "effective",
            "approved_by": {"name": "Hoàng Văn Bảo", "title": "Chủ tịch UBND xã Bình Minh"}}
    meta.update(keys)
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None, width=200)
    return f"---\n{header}---\n{body}"


def b_tthc() -> dict:
    """B's own tthc block: the framework's revision 2 with another fee."""
    tthc = framework_meta(2)["tthc"]
    for channel in tthc["channels"]:
        channel["fee"] = "5.000 đồng"
    return tthc


def run_git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout
