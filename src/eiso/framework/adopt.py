"""``eiso adopt``'s work: scaffold adoption files, and move adoptions to the framework's latest revision."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from eiso.documents import yamlsource
from eiso.documents.loader import Corpus, read_source
from eiso.control.diff import compare
from eiso.documents.model import Adoption, Document
from eiso.documents.text import slugify
from eiso.framework.agency import AgencyProfile
from eiso.framework.gone import withdrawn_message
from eiso.framework.lag import shadowed_changes, shadowed_note
from eiso.framework.source import GitFramework


@dataclass
class AdoptResult:
    written: list[str] = field(default_factory=list)  # Vietnamese lines: what was done
    problems: list[str] = field(default_factory=list)  # Vietnamese lines: what could not be done


def adoptions_by_code(corpus: Corpus) -> dict[str, Document]:
    """Local adoptions, by the slug of the framework code they adopt and of their own code."""
    found: dict[str, Document] = {}
    for doc in corpus.documents:
        if doc.adoption is not None:
            found[slugify(doc.adoption.code)] = doc
            found.setdefault(doc.slug, doc)
    return found


def adopt(root: Path, procedures_dir: str, corpus: Corpus, framework: GitFramework, codes: list[str],
          agency: AgencyProfile, effective: dt.date | None) -> AdoptResult:
    """Write one adoption file per framework code (every current framework document when ``codes`` is empty)."""
    result = AdoptResult()
    adopted = adoptions_by_code(corpus)
    local_codes = {doc.slug for doc in corpus.documents}
    # --all: the framework's issued documents (its drafts are not for adoption yet).
    wanted = codes or [doc.meta.code for doc in sorted(framework.current.values(), key=lambda d: d.path)
                       if framework.latest(doc.meta.code) is not None]
    if not codes:  # --all: a framework file that does not load is a document nobody would know was skipped
        result.problems.extend(f"mô hình khung «{framework.label}»: không áp dụng được tệp có lỗi: {problem}"
                               for problem in framework.unreadable.values())
    for code in wanted:
        source = framework.latest(code)
        if source is None:
            result.problems.append(_missing(framework, code))
            continue
        if slugify(code) in adopted or source.slug in local_codes:
            if codes:
                result.problems.append(f"{code}: đã áp dụng hoặc đã có tài liệu cùng mã; dùng --update để cập nhật")
            continue
        rel = _target(framework, source, procedures_dir)
        if (root / rel).exists():  # the agency has its own file there: name the adoption after its code
            rel = posixpath.join(posixpath.dirname(rel), f"{source.slug}.md")
        target = root / rel
        if target.exists():
            result.problems.append(f"{code}: tệp «{rel}» đã tồn tại")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(scaffold(source, agency, effective), encoding="utf-8")
        result.written.append(f"{rel}: áp dụng {source.meta.code}, lần ban hành {source.meta.revision}")
    return result


def scaffold(source: Document, agency: AgencyProfile, effective: dt.date | None) -> str:
    meta: dict[str, Any] = {
        "based_on": {"code": source.meta.code, "revision": source.meta.revision},
        "code": source.meta.code,
        "revision": 1,
    }
    if effective is not None:
        meta.update(effective=effective, status="effective")
    else:
        meta["status"] = "draft"  # becomes effective in the merge request that approves the adoption
    unit = agency.unit_for(source.meta.unit)
    if unit and unit != source.meta.unit:
        meta["unit"] = unit
    for key, person in (("prepared_by", agency.prepared_by), ("reviewed_by", agency.reviewed_by),
                        ("approved_by", agency.approver)):
        if person:
            meta[key] = person
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None, width=120)
    note = ("# Các khóa không ghi ở đây lấy từ mô hình khung ở lần ban hành đã áp dụng; phần nội dung để trống\n"
            "# thì dùng nội dung của khung. Ghi khóa hoặc nội dung riêng của đơn vị để thay thế.\n")
    return f"---\n{note}{header}---\n"


def update(root: Path, corpus: Corpus, framework: GitFramework, codes: list[str],
           effective: dt.date | None = None) -> AdoptResult:
    """Move each named adoption to the framework's latest revision and raise its own revision by one."""
    result = AdoptResult()
    adopted = adoptions_by_code(corpus)
    for code in codes:
        doc = adopted.get(slugify(code))
        if doc is None or doc.adoption is None:
            result.problems.append(f"{code}: không có tài liệu nào áp dụng mã này của mô hình khung")
            continue
        latest = framework.latest(doc.adoption.code)
        if latest is None:
            problem = _missing(framework, doc.adoption.code)
            if framework.withdrawn(doc.adoption.code):  # no revision to move to: the agency decides
                problem += f"; không cập nhật «{doc.path}»: hãy bãi bỏ tài liệu này (status: withdrawn)"
            result.problems.append(problem)
            continue
        if latest.meta.revision <= doc.adoption.revision:
            result.written.append(f"{doc.path}: đã theo lần ban hành mới nhất ({latest.meta.revision}) của khung")
            continue
        problem = _rewrite(root / doc.path, latest.meta.revision, doc.meta.revision + 1, effective)
        if problem:
            result.problems.append(f"{doc.path}: {problem}")
            continue
        line = (f"{doc.path}: lần ban hành khung {doc.adoption.revision} → {latest.meta.revision}, "
                f"lần ban hành của đơn vị {doc.meta.revision} → {doc.meta.revision + 1}")
        shadowed = _shadowed(framework, doc.adoption, latest)
        result.written.append(f"{line}; {shadowed_note(shadowed)}" if shadowed else line)
    return result


_NUMBER = re.compile(r"(\brevision\s*:\s*)(\d+)")
_DATE = re.compile(r"(\beffective\s*:\s*)['\"]?(\d{4}-\d{2}-\d{2})")


def _rewrite(path: Path, framework_revision: int, own_revision: int, effective: dt.date | None) -> str | None:
    """Change the two numbers in place, on the lines the YAML parser located, keeping the rest of the file."""
    source = read_source(path.parent, path.name)
    if source.text is None:
        return "không đọc được tệp"
    text = source.text
    lines = text.split("\n")
    end = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() in ("---", "...")), None)
    if not text.startswith("---\n") or end is None:
        return "không tìm thấy phần đầu YAML"
    try:
        parsed = yamlsource.load("\n".join(lines[1:end]))
    except yamlsource.YamlError as error:
        return error.message
    for key, value in ((("based_on", "revision"), framework_revision), (("revision",), own_revision)):
        number = parsed.lines.get(key)
        if number is None:
            return f"không tìm thấy khóa {'.'.join(key)}"
        index = number  # yaml line n (1-based) of the header is file line n + 1, index n
        # On a flow mapping line (based_on: {code: …, revision: 2}) the nested key is the last "revision:".
        matches = list(_NUMBER.finditer(lines[index]))
        if not matches:
            return f"không sửa được khóa {'.'.join(key)} (cần ghi số trên cùng dòng)"
        hit = matches[-1]
        lines[index] = lines[index][: hit.start(2)] + str(value) + lines[index][hit.end(2):]
    if effective is not None:
        number = parsed.lines.get(("effective",))
        hit = _DATE.search(lines[number]) if number else None
        if hit is None:
            return "không tìm thấy khóa effective để ghi ngày hiệu lực mới"
        lines[number] = lines[number][: hit.start(2)] + effective.isoformat() + lines[number][hit.end(2):]
    path.write_text("\n".join(lines), encoding="utf-8")
    return None


def _shadowed(framework: GitFramework, adoption: Adoption, latest: Document) -> tuple[str, ...]:
    old = framework.document_at(adoption.code, adoption.revision)
    return shadowed_changes(compare([old], [latest]).documents, adoption) if isinstance(old, Document) else ()


def _target(framework: GitFramework, source: Document, procedures_dir: str) -> str:
    prefix = framework.procedures_dir.strip("/") + "/"
    inside = source.path[len(prefix):] if source.path.startswith(prefix) else posixpath.basename(source.path)
    return posixpath.join(procedures_dir.strip("/") or "procedures", inside)


def _missing(framework: GitFramework, code: str) -> str:
    if framework.problem:
        return f"{code}: {framework.problem}"
    withdrawn = framework.withdrawn(code)
    if withdrawn is not None:
        return f"{code}: {withdrawn_message(withdrawn)}"
    message = f"{code}: mã không có trong mô hình khung «{framework.label}» (hoặc mới là dự thảo)"
    if framework.unreadable:  # the code may be in one of them
        message += "; các tệp có lỗi của khung: " + "; ".join(framework.unreadable.values())
    return message
