"""The agency's own profile from its configuration (``agency:`` option of the eiso plugin).

```yaml
plugins:
  - eiso:
      framework: khung/
      agency:
        name: UBND xã Tân Lập
        code: "25123"                   # mã đơn vị (e.g. the national administrative unit code)
        district: Huyện Đoan Hùng
        unit: Văn phòng - Thống kê       # default owning unit of adopted documents
        units: {Văn phòng HĐND và UBND: Văn phòng - Thống kê}   # framework unit -> the agency's unit
        prepared_by: {name: …, title: …}
        reviewed_by: {name: …, title: …}
        approver: {name: …, title: …}   # who approves adoptions (approved_by)
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eiso.errors import EisoError


@dataclass(frozen=True)
class AgencyProfile:
    name: str = ""
    code: str = ""
    district: str = ""
    unit: str = ""
    units: dict[str, str] = field(default_factory=dict)
    prepared_by: dict[str, str] | None = None
    reviewed_by: dict[str, str] | None = None
    approver: dict[str, str] | None = None

    def unit_for(self, framework_unit: str) -> str | None:
        """The agency's unit for a framework document owned by ``framework_unit`` (None: keep the framework's)."""
        return self.units.get(framework_unit) or self.unit or None


def agency_profile(options: dict[str, Any]) -> AgencyProfile:
    raw = options.get("agency") or {}
    if not isinstance(raw, dict):
        raise EisoError("tùy chọn «agency» trong mkdocs.yml phải là các cặp khóa: giá trị")
    units = raw.get("units") or {}
    if not isinstance(units, dict):
        raise EisoError("«agency.units» trong mkdocs.yml phải là bảng: đơn vị của khung: đơn vị của cơ quan")
    return AgencyProfile(
        name=_text(raw, "name"), code=_text(raw, "code"), district=_text(raw, "district"), unit=_text(raw, "unit"),
        units={str(k): str(v) for k, v in units.items()},
        prepared_by=_person(raw, "prepared_by"), reviewed_by=_person(raw, "reviewed_by"),
        approver=_person(raw, "approver"),
    )


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise EisoError(f"«agency.{key}» trong mkdocs.yml phải là một chuỗi")
    return str(value)


def _person(raw: dict[str, Any], key: str) -> dict[str, str] | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or not value.get("name"):
        raise EisoError(f"«agency.{key}» trong mkdocs.yml cần dạng {{name: Họ tên, title: Chức vụ}}")
    person = {"name": str(value["name"])}
    if value.get("title"):
        person["title"] = str(value["title"])
    return person
