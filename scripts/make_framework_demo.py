#!/usr/bin/env python3
"""A small province with real git: the framework repository and three communes adopting it.

The framework's documents are the demo repository's system procedures and commune TTHC
(``procedures/``), approved by the province; see examples/khung/README.md for the story.

    PYTHONPATH=src .venv/bin/python scripts/make_framework_demo.py /tmp/tinh-demo [--build]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PROVINCE_APPROVER = "approved_by: {name: Nguyễn Quang Huy, title: Giám đốc Sở Khoa học và Công nghệ}"
CHANGED = "QT-HTICH-01"
COMMUNES = [
    ("xa-tan-lap", "UBND xã Tân Lập", "25123", "Đỗ Minh Quân"),
    ("xa-minh-luong", "UBND xã Minh Lương", "25126", "Hoàng Văn Bảo"),
    ("xa-van-du", "UBND xã Vân Du", "25129", "Lý Thị Mai"),
]
_clock = [1_767_225_600]  # 2026-01-01, one hour more per commit: reproducible histories


def git(root: Path, *args: str, author: str = "Thư ký ISO") -> None:
    _clock[0] += 3600
    stamp = f"{_clock[0]} +0700"
    env = dict(os.environ, GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL="iso@example.vn", GIT_COMMITTER_NAME="GitLab",
               GIT_COMMITTER_EMAIL="gitlab@example.vn", GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    subprocess.run(["git", "-c", "protocol.file.allow=always", "-c", "commit.gpgsign=false", *args],
                   cwd=root, env=env, check=True, capture_output=True)


def merge_request(root: Path, branch: str, title: str, number: int, approver: str, project: str) -> None:
    """Commit the working tree on ``branch`` and merge it like GitLab, with an approval trailer."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", title)
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", branch, "-m", f"Merge branch '{branch}' into 'main'\n\n{title}\n\n"
        f"See merge request {project}!{number}\n\nApproved-by: {approver} <phe-duyet@example.vn>")


def eiso(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run([sys.executable, "-m", "eiso.cli", *args], cwd=root, env=env, capture_output=True, text=True)


def make_framework(dest: Path) -> Path:
    root = dest / "khung"
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    shutil.copyfile(ROOT / "examples" / "khung" / "mkdocs.yml", root / "mkdocs.yml")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Khởi tạo kho mô hình khung")
    git(root, "checkout", "-q", "-b", "lan-dau")
    shutil.copytree(ROOT / "procedures", root / "procedures")
    for path in (root / "procedures").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if "\nstatus: draft\n" in text:  # the province issues every document of its framework
            text = text.replace("\nstatus: draft\n", "\nstatus: effective\neffective: 2026-06-01\n", 1)
        if "\napproved_by:" in text:
            text = re.sub(r"(?m)^approved_by:.*$", PROVINCE_APPROVER, text, count=1)
        else:
            text = text.replace("\nstatus: effective\n", f"\nstatus: effective\n{PROVINCE_APPROVER}\n", 1)
        path.write_text(text, encoding="utf-8")
    merge_request(root, "lan-dau", "Ban hành mô hình khung", 1, "Nguyễn Quang Huy", "tinh/khung")
    return root


def change_framework(root: Path) -> None:
    """MR !2 of the framework: QT-HTICH-01 gains a dossier item, a new revision."""
    git(root, "checkout", "-q", "-b", "khai-sinh-lan-moi")
    path = next(p for p in (root / "procedures").rglob("*.md") if f"code: {CHANGED}\n" in p.read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    revision = int(re.search(r"(?m)^revision: (\d+)$", text).group(1))
    text = re.sub(r"(?m)^revision: \d+$", f"revision: {revision + 1}", text, count=1)
    text = re.sub(r"(?m)^effective: .*$", "effective: 2026-07-01", text, count=1)
    text = text.replace("  dossier:\n", "  dossier:\n    - {name: Văn bản ủy quyền (nếu nộp thay), originals: 1, copies: 0}\n", 1)
    path.write_text(text, encoding="utf-8")
    merge_request(root, "khai-sinh-lan-moi", f"Khung: {CHANGED} thêm văn bản ủy quyền", 2, "Nguyễn Quang Huy", "tinh/khung")


def make_commune(dest: Path, folder: str, name: str, code: str, approver: str, framework: Path) -> Path:
    root = dest / folder
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text(f"# {name}\n\nHệ thống quản lý chất lượng theo TCVN ISO 9001:2015.\n",
                                            encoding="utf-8")
    agency = {"name": name, "code": code, "district": "Huyện Mẫu",
              "prepared_by": {"name": "Vũ Thị Lan Anh", "title": "Thư ký ISO"},
              "approver": {"name": approver, "title": f"Chủ tịch {name}"}}
    config = {"site_name": f"ISO 9001 — {name}", "theme": {"name": "material", "language": "vi"},
              "nav": [{"Trang chủ": "index.md"}, {"Danh mục tài liệu": "danh-muc/index.md"}],
              "not_in_nav": "/quy-trinh/\n", "plugins": ["search", {"eiso": {"framework": "khung/", "agency": agency}}],
              "markdown_extensions": ["tables", "attr_list", {"toc": {"permalink": True}}]}
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Khởi tạo kho tài liệu ISO")
    git(root, "checkout", "-q", "-b", "ap-dung-khung")
    git(root, "submodule", "add", "-q", str(framework), "khung")
    result = eiso(root, "adopt", "--all", "--effective", "2026-03-01")
    if result.returncode != 0:
        raise SystemExit(f"eiso adopt ({folder}): {result.stderr}")
    merge_request(root, "ap-dung-khung", "Áp dụng mô hình khung của tỉnh", 1, approver, f"{folder}/iso")
    return root


def follow_framework(root: Path, folder: str, approver: str, adopt: bool, override: bool) -> None:
    """Move the commune's submodule to the framework's latest commit, and maybe its adoption too."""
    git(root, "checkout", "-q", "-b", "cap-nhat-khung")
    git(root / "khung", "pull", "-q", "origin", "main")
    if adopt:
        eiso(root, "adopt", "--update", CHANGED, "--effective", "2026-07-15")
    if override:  # the commune's own unit and fee for birth registration
        path = next(p for p in (root / "procedures").rglob("*.md") if f"code: {CHANGED}\n" in p.read_text(encoding="utf-8"))
        path.write_text(path.read_text(encoding="utf-8").replace(
            "status: effective\n", "status: effective\nunit: Công chức Tư pháp - Hộ tịch xã Minh Lương\n", 1), encoding="utf-8")
    merge_request(root, "cap-nhat-khung", "Cập nhật mô hình khung", 2, approver, f"{folder}/iso")


def province_config(dest: Path) -> None:
    agencies = [{"name": name, "code": code, "district": "Huyện Mẫu", "data": f"{folder}/site", "project": f"{folder}/iso"}
                for folder, name, code, _ in COMMUNES]
    agencies.append({"name": "UBND xã Chưa Nộp", "code": "25132", "district": "Huyện Mẫu", "data": "xa-chua-nop/site"})
    config = {"province": "Tỉnh Mẫu", "framework": {"name": "Mô hình khung ISO 9001:2015 cấp xã", "repository": "khung"},
              "agencies": agencies}
    (dest / "province.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="thư mục mới để tạo các kho")
    parser.add_argument("--build", action="store_true", help="dựng trang của các xã và cổng của tỉnh")
    args = parser.parse_args()
    dest = args.dest.resolve()
    if dest.exists() and any(dest.iterdir()):
        raise SystemExit(f"{dest} đã có nội dung; hãy chọn thư mục mới")
    dest.mkdir(parents=True, exist_ok=True)
    framework = make_framework(dest)
    communes = {folder: make_commune(dest, folder, name, code, approver, framework)
                for folder, name, code, approver in COMMUNES}
    change_framework(framework)
    follow_framework(communes["xa-tan-lap"], "xa-tan-lap", COMMUNES[0][3], adopt=True, override=False)
    follow_framework(communes["xa-minh-luong"], "xa-minh-luong", COMMUNES[1][3], adopt=False, override=True)
    province_config(dest)
    print(f"Đã tạo kho khung và {len(communes)} xã trong {dest}")
    if args.build:
        for folder, root in communes.items():
            result = eiso(root, "build")
            print(f"{folder}: eiso build → mã thoát {result.returncode}")
        result = eiso(dest, "province", "build", "province.yml", "-d", "cong-giam-sat")
        print(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "")
        print(f"Cổng giám sát: {dest / 'cong-giam-sat' / 'index.html'}")


if __name__ == "__main__":
    main()
