"""Findings of the checks and their three output formats (text, JSON, GitLab Code Quality)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Iterable, Literal

from eiso.documents.text import shown

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Finding:
    path: str  # repository-relative POSIX path
    line: int
    field: str  # dotted front-matter path, e.g. "tthc.dossier[0].name"; "-" for the whole file
    message: str  # Vietnamese, names the field
    rule: str = "schema"  # stable identifier, used for Code Quality fingerprints
    severity: Severity = "error"

    def __str__(self) -> str:
        # Text output goes to terminals and CI logs: no raw escape sequence, newline or bidi override.
        label = "" if self.severity == "error" else "cảnh báo: "
        return shown(f"{self.path}:{self.line}: {self.field}: {label}{self.message}", None)


def field_name(path: Iterable[str | int]) -> str:
    """``("tthc", "dossier", 0, "name")`` -> ``tthc.dossier[0].name``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "-"


def format_text(findings: list[Finding]) -> str:
    lines = [str(f) for f in sorted(findings)]
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    lines.append(
        f"Tổng cộng: {errors} lỗi, {warnings} cảnh báo." if findings else "Không có lỗi nào."
    )
    return "\n".join(lines) + "\n"


def format_json(findings: list[Finding]) -> str:
    return json.dumps([asdict(f) for f in sorted(findings)], ensure_ascii=False, indent=2) + "\n"


def format_codequality(findings: list[Finding]) -> str:
    """GitLab Code Quality report: fingerprints stay stable when unrelated lines move."""
    seen: dict[str, int] = {}
    issues = []
    for finding in sorted(findings):
        basis = f"{finding.path}|{finding.rule}|{finding.field}|{finding.message}"
        fingerprint = hashlib.sha256(basis.encode()).hexdigest()[:32]
        # Two identical findings in one file must still have distinct fingerprints.
        seen[fingerprint] = seen.get(fingerprint, 0) + 1
        if seen[fingerprint] > 1:
            fingerprint = hashlib.sha256(f"{basis}|{seen[fingerprint]}".encode()).hexdigest()[:32]
        issues.append(
            {
                "type": "issue",
                "check_name": f"eiso/{finding.rule}",
                "description": f"{finding.field}: {finding.message}",
                "categories": ["Style"] if finding.severity == "warning" else ["Bug Risk"],
                "severity": "minor" if finding.severity == "warning" else "major",
                "fingerprint": fingerprint,
                "location": {"path": finding.path, "lines": {"begin": finding.line}},
            }
        )
    return json.dumps(issues, ensure_ascii=False, indent=2) + "\n"


FORMATS = {"text": format_text, "json": format_json, "codequality": format_codequality}
