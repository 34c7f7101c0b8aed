"""Small, valid e-ISO repositories written into a temporary folder for tests."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
# The national corpus: EISO_CORPUS, else shared/ beside the checkout (CI's clean clone, a worktree, the main
# checkout). Tests that need it are skipped, with the reason, where it is not found.
NATIONAL_CORPUS = Path(os.environ["EISO_CORPUS"]) if os.environ.get("EISO_CORPUS") else next(
    (p / "shared" / "corpus" / "tthc-national.jsonl" for p in REPO.parents
     if (p / "shared" / "corpus" / "tthc-national.jsonl").is_file()),
    REPO.parent / "shared" / "corpus" / "tthc-national.jsonl")

MKDOCS_YML = """\
site_name: Thử nghiệm e-ISO
site_url: https://iso.example.vn/
repo_url: {repo_url}
theme:
  name: material
  language: vi
  custom_dir: overrides
nav:
  - Trang chủ: index.md
  - Danh mục tài liệu: danh-muc/index.md
  - Lưu trữ: danh-muc/luu-tru/index.md
  - Xem xét định kỳ: xem-xet-dinh-ky/index.md
  - Văn bản pháp luật: van-ban-phap-luat/index.md
  - Theo lĩnh vực: linh-vuc/index.md
  - Theo đơn vị: don-vi/index.md
not_in_nav: |
  /quy-trinh/
plugins:
  - search
  - eiso
  - macros
markdown_extensions:
  - toc:
      permalink: true
  - tables
  - attr_list
"""


def tthc_meta(code: str = "QT-HT-01", **changes) -> dict:
    """Front matter of a valid, effective TTHC procedure (the DESIGN.md example)."""
    meta = {
        "code": code,
        "title": "Đăng ký khai sinh",
        "kind": "tthc",
        "unit": "Văn phòng - Thống kê",
        "field": "Hộ tịch",
        "revision": 2,
        "effective": "2025-03-01",
        "status": "effective",
        "audience": "public",
        "prepared_by": {"name": "Nguyễn Thị Lan", "title": "Công chức Tư pháp - Hộ tịch"},
        "reviewed_by": {"name": "Trần Văn Bình", "title": "Phó Chủ tịch UBND xã"},
        "approved_by": {"name": "Lê Văn Cường", "title": "Chủ tịch UBND xã"},
        "legal_basis": [
            {"code": "60/2014/QH13", "title": "Luật Hộ tịch"},
            {"code": "123/2015/NĐ-CP", "title": "Nghị định quy định chi tiết một số điều của Luật Hộ tịch"},
        ],
        "tthc": {
            "national_code": "1.001193",
            "level": "Cấp xã",
            "applicants": "Công dân Việt Nam",
            "agency": "UBND cấp xã",
            "result": "Giấy khai sinh",
            "channels": [
                {"channel": "Trực tiếp", "time": {"value": 1, "unit": "working_days"}, "fee": "Miễn phí"},
                {"channel": "Trực tuyến", "time": {"value": 1, "unit": "working_days"}, "fee": "Miễn phí"},
            ],
            "dossier": [
                {"name": "Tờ khai đăng ký khai sinh", "form": "BM-HT-01-01", "originals": 1, "copies": 0},
                {"name": "Giấy chứng sinh", "originals": 1, "copies": 0},
            ],
        },
        "steps": [
            {"actor": "Bộ phận một cửa", "action": "Tiếp nhận, kiểm tra hồ sơ", "time": {"value": 0.5, "unit": "working_days"}, "output": "BM-01"},
            {"actor": "Công chức Tư pháp - Hộ tịch", "action": "Thẩm định, trình ký", "time": {"value": 0.25, "unit": "working_days"}},
            {"actor": "Chủ tịch UBND xã", "action": "Ký Giấy khai sinh", "time": {"value": 0.25, "unit": "working_days"}},
        ],
        "forms": [{"code": "BM-HT-01-01", "title": "Tờ khai đăng ký khai sinh", "file": "forms/BM-HT-01-01.docx"}],
        "records": [{"name": "Sổ đăng ký khai sinh", "keeper": "Công chức Tư pháp - Hộ tịch", "retention": "Vĩnh viễn"}],
    }
    meta.update(changes)
    return meta


def system_meta(code: str = "QT-NB-01", **changes) -> dict:
    meta = {
        "code": code, "title": "Kiểm soát tài liệu", "kind": "system", "unit": "Văn phòng - Thống kê",
        "revision": 1, "effective": "2025-01-15", "status": "effective",
        "approved_by": {"name": "Lê Văn Cường", "title": "Chủ tịch UBND xã"},
    }
    meta.update(changes)
    return meta


BODY = "## 1. Mục đích\n\nQuy định trình tự giải quyết.\n\n## 2. Phạm vi áp dụng\n\nUBND xã.\n"


def document_text(meta: dict, body: str = BODY) -> str:
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return f"---\n{header}---\n\n{body}"


def write_doc(root: Path, rel: str, meta: dict, body: str = BODY) -> Path:
    path = root / "procedures" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document_text(meta, body), encoding="utf-8")
    return path


def make_repo(root: Path, repo_url: str = "https://gitlab.example.vn/xa/e-iso") -> Path:
    """A valid two-document repository: one TTHC with its form file, one system procedure."""
    (root / "docs").mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "overrides", root / "overrides", dirs_exist_ok=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(repo_url=repo_url), encoding="utf-8")
    (root / "docs" / "index.md").write_text("# Trang chủ\n\nSố trang: {{ 1 + 1 }}\n", encoding="utf-8")
    write_doc(root, "tthc/khai-sinh.md", tthc_meta(related=["QT-NB-01"]))
    form = root / "procedures" / "tthc" / "forms" / "BM-HT-01-01.docx"
    form.parent.mkdir(parents=True, exist_ok=True)
    form.write_bytes(b"PK\x03\x04 demo form")
    write_doc(root, "he-thong/kiem-soat-tai-lieu.md", system_meta())
    return root


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def folder_tree(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (None) below ``folder``, by relative path: two outputs compared this way
    differ by a folder left empty as well as by a file."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}
