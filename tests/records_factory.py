"""QMS records for throw-away repositories (issue 17)."""

from __future__ import annotations

from pathlib import Path

import yaml

PERSON = {"name": "Vũ Thị Lan Anh", "title": "Thư ký ISO"}


def nc(code: str, **changes) -> dict:
    meta = {
        "code": code, "kind": "nonconformity", "title": f"Sự không phù hợp {code}", "source": "internal_audit",
        "grade": "minor", "clause": "7.5.3", "documents": ["QT-HT-01"], "found": "2026-03-10",
        "found_by": PERSON, "description": "Sổ theo dõi không ghi ngày trả kết quả.", "cause": "Chưa quy định.",
        "actions": [{"action": "Sửa quy trình", "owner": "Thư ký ISO", "due": "2026-04-30"}], "status": "open",
    }
    meta.update(changes)
    return meta


def audit(code: str, **changes) -> dict:
    meta = {
        "code": code, "kind": "audit", "title": f"Đánh giá nội bộ {code}", "date": "2026-03-10",
        "scope": {"units": ["Văn phòng - Thống kê"], "clauses": ["7.5"], "documents": ["QT-HT-01"]},
        "auditors": [{"name": "Trần Thị Thu Hà", "title": "Trưởng đoàn"}], "findings": [],
    }
    meta.update(changes)
    return meta


def review(code: str, **changes) -> dict:
    meta = {
        "code": code, "kind": "management_review", "title": f"Xem xét của lãnh đạo {code}", "date": "2026-02-01",
        "chaired_by": {"name": "Nguyễn Văn Thắng", "title": "Chủ tịch UBND xã"}, "participants": [PERSON],
        "decisions": [],
    }
    meta.update(changes)
    return meta


def write_record(root: Path, rel: str, meta: dict, body: str = "Ghi chú.\n") -> Path:
    path = root / "records" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    path.write_text(f"---\n{header}---\n\n{body}", encoding="utf-8")
    return path
