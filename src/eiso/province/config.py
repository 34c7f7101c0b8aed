"""``province.yml``: the province, its framework, and where each agency's published data is.

```yaml
province: Tỉnh Phú Thọ
framework:
  name: Mô hình khung ISO 9001 cấp xã
  data: khung/site            # the framework's built site (or folder) with api/documents.json,
  # repository: khung/        # or the framework repository itself (its current documents)
agencies:
  - {name: UBND xã Tân Lập, code: "25123", district: Huyện Đoan Hùng, data: du-lieu/25123}
```
``data`` is a folder holding the agency's published ``api/documents.json`` and
``api/qms.json`` (its built intranet site, or the ``api/`` folder itself), relative
to ``province.yml``. Only published data is read: never an agency's git repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from eiso.documents.text import fold
from eiso.errors import EisoError

MAX_CONFIG_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class AgencySpec:
    name: str
    code: str
    district: str
    data: Path | None  # None: not given (reported, like a missing folder)
    line: int


@dataclass(frozen=True)
class ProvinceConfig:
    path: Path
    name: str
    framework_name: str
    framework_data: Path | None  # the framework's published site or api/ folder
    framework_repository: Path | None  # or the framework repository itself (the province's own)
    agencies: tuple[AgencySpec, ...]


def load_province(path: str | Path) -> ProvinceConfig:
    """Read ``province.yml``; a problem with the file itself raises EisoError (exit 2)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise EisoError(f"«{path}» quá lớn")
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except OSError as error:
        raise EisoError(f"không đọc được tệp cấu hình «{path}»: {error.strerror or error}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise EisoError(f"«{path}» không phải YAML hợp lệ: {error}") from None
    if not isinstance(node, yaml.MappingNode):
        raise EisoError(f"«{path}»: cần các khóa province, framework, agencies")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lines = _item_lines(node)
    base = path.resolve().parent
    framework = data.get("framework") or {}
    if not isinstance(framework, dict):
        raise EisoError(f"«{path}»: «framework» cần dạng {{name: …, data: thư mục}}")
    agencies = data.get("agencies")
    if not isinstance(agencies, list) or not agencies:
        raise EisoError(f"«{path}»: «agencies» phải là danh sách các cơ quan (name, code, district, data)")
    specs = [_agency(path, base, item, lines[index] if index < len(lines) else 1) for index, item in enumerate(agencies)]
    _unique(path, specs)
    return ProvinceConfig(path=path, name=_text(data.get("province")) or "Tỉnh",
                          framework_name=_text(framework.get("name")) or "Mô hình khung",
                          framework_data=base / str(framework["data"]) if framework.get("data") else None,
                          framework_repository=(base / str(framework["repository"])
                                                if framework.get("repository") else None),
                          agencies=tuple(specs))


def _agency(path: Path, base: Path, item: Any, line: int) -> AgencySpec:
    if not isinstance(item, dict):
        raise EisoError(f"{path}:{line}: mỗi cơ quan cần dạng {{name: …, code: …, district: …, data: thư mục}}")
    name, code = _text(item.get("name")), _text(item.get("code"))
    if not name or not code:
        raise EisoError(f"{path}:{line}: cơ quan thiếu «name» hoặc «code»")
    data = item.get("data")
    return AgencySpec(name=name, code=code, district=_text(item.get("district")),
                      data=base / str(data) if data else None, line=line)


def _unique(path: Path, specs: list[AgencySpec]) -> None:
    seen: dict[str, AgencySpec] = {}
    for spec in specs:
        key = fold(spec.code).strip()
        if key in seen:
            raise EisoError(f"{path}:{spec.line}: mã cơ quan «{spec.code}» trùng với dòng {seen[key].line}")
        seen[key] = spec


def _item_lines(node: yaml.MappingNode) -> list[int]:
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "agencies" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()
