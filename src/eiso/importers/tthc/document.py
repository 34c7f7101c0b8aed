"""One national record -> the front matter and body of one draft controlled document, as YAML text."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import yaml

from eiso.documents.text import slugify
from eiso.importers.tthc.body import render_body
from eiso.importers.tthc.clean import (PORTAL_LABEL, as_list, canonical_level, clean_channels, clean_decision,
                                       clean_dossier, clean_text, clean_value, meaningful, one_line, strip_marker,
                                       without_portal_text)
from eiso.importers.tthc.legal import clean_legal_basis
from eiso.importers.tthc.steps import FRONT_DESK, MAX_CITIZEN_STEPS, citizen_steps, draft_steps


CODE_PREFIX = "QT-TTHC-"
COMMUNE_AGENCY = "Ủy ban nhân dân cấp xã"


@dataclass
class Draft:
    code: str
    folder: str
    filename: str
    meta: dict
    body: str

    @cached_property
    def text(self) -> str:
        return render_document(self.meta, self.body)


def document_code(national_code: str) -> str:
    """``1.001193`` -> ``QT-TTHC-1.001193`` (slug ``qt-tthc-1-001193``): stable and unique per national code."""
    return CODE_PREFIX + national_code


def build_document(record: dict, *, level: str | None = None, warnings: list[str] | None = None) -> Draft | None:
    """The front matter and body of one record; ``None`` when it has no name. Problems go to ``warnings``."""
    warn = warnings.append if warnings is not None else (lambda message: None)
    national = one_line(record.get("code"))
    title = strip_marker(clean_value(record.get("name")))
    if not national or not title:
        return None
    code = document_code(national)
    own_agency = agency = clean_value(record.get("agency"))
    if not agency:
        agency = clean_value(record.get("competent_agency"))
        if agency:
            warn("thiếu cơ quan thực hiện; dùng cơ quan có thẩm quyền")
    field_name = clean_value(record.get("field"))
    if not field_name:
        warn("thiếu lĩnh vực")
    record_level = ", ".join(dict.fromkeys(canonical_level(p) for p in one_line(record.get("level")).split(",")
                                            if p.strip()))
    final_level = level or record_level
    if not final_level:
        warn("thiếu cấp thực hiện")
        final_level = "Chưa xác định"
    if not agency and final_level == "Cấp xã":
        agency = COMMUNE_AGENCY
        warn(f"thiếu cơ quan thực hiện; dùng «{COMMUNE_AGENCY}» theo cấp thực hiện")
    channels = clean_channels(as_list(record, "channels", warn), warn)
    dossier, dossier_notes = clean_dossier(as_list(record, "dossier", warn), warn)
    dossier_text = clean_value(record.get("dossier_text"), multiline=True)
    if not dossier and meaningful(dossier_text):
        warn("không tách được thành phần hồ sơ; văn bản gốc được đưa vào phần nội dung để hoàn thiện")
    legal, legal_leftover = clean_legal_basis(record, warn)
    steps = draft_steps(channels, agency)
    if any("time" in c for c in channels) and "time" not in steps[0]:
        warn("thời hạn giải quyết của các cách thức khác loại đơn vị; bảng các bước không ghi thời gian")
    tthc: dict[str, Any] = {"national_code": national}
    decision = clean_decision(one_line(record.get("decision")))
    if decision:
        tthc["decision"] = decision
    tthc["level"] = final_level
    tthc["applicants"] = clean_value(record.get("applicants"))
    tthc["agency"] = agency or "Chưa xác định"
    if not agency:
        warn("thiếu cơ quan thực hiện")
    tthc["result"] = strip_marker(clean_value(_own_text(record, "result", "kết quả", warn)))
    conditions = clean_value(_own_text(record, "conditions_text", "yêu cầu, điều kiện", warn), multiline=True)
    if conditions:
        tthc["conditions"] = conditions
    tthc["channels"] = channels
    tthc["dossier"] = dossier
    public_steps = citizen_steps(record.get("steps_text"))
    if len(public_steps) > MAX_CITIZEN_STEPS:
        warn(f"trình tự thực hiện có {len(public_steps)} bước; chỉ giữ {MAX_CITIZEN_STEPS} bước đầu cho người dân, "
             "cần rút gọn tthc.citizen_steps")
        public_steps = public_steps[:MAX_CITIZEN_STEPS]
    if public_steps:
        tthc["citizen_steps"] = public_steps
    elif clean_value(record.get("steps_text")):
        warn("không tách được trình tự thực hiện thành các bước cho người dân; cần bổ sung tthc.citizen_steps")
    meta: dict[str, Any] = {
        "code": code,
        "title": title,
        "kind": "tthc",
        "unit": own_agency or FRONT_DESK,
        **({"field": field_name} if field_name else {}),
        "revision": 1,
        "status": "draft",
        "audience": "public",
        "legal_basis": legal,
        "tthc": {k: v for k, v in tthc.items() if v not in ("", None)},
        "steps": steps,
    }
    if not legal:
        del meta["legal_basis"]
    body = render_body(record, meta, legal_leftover, dossier_notes,
                       dossier_text if not dossier and meaningful(dossier_text) else "")
    return Draft(code, slugify(field_name) or "khac", f"{slugify(code)}.md", meta, body)


def render_document(meta: dict, body: str) -> str:
    header = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000,
                       default_flow_style=False)
    return f"---\n{header}---\n\n{body}"


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """``yaml.safe_dump`` with multi-line text as readable ``|`` blocks (still only safe types).

    libyaml's emitter is used when PyYAML has it, as the loader does: it is ten times faster.
    """


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def _own_text(record: dict, key: str, label: str, warn) -> str:
    """A text field without the portal's page text scraped along with it, reported when removed."""
    text, scraped = without_portal_text(clean_text(record.get(key)))
    if scraped:
        warn(f"«{label}» có kèm chữ của trang Cổng Dịch vụ công («{PORTAL_LABEL}…»); đã bỏ phần đó")
    return text
