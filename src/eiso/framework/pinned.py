"""The framework as an agency revision pinned it (its submodule commit), for ``eiso diff``.

A merge request that moves the submodule changes the framework both sides see: each side
is read with its own framework, so the change report shows every adopted document whose
effective (merged) content changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from eiso.control.diff_report import md
from eiso.control.gitfiles import parse_ls_tree, run_git
from eiso.errors import GitError
from eiso.framework.lag import adoption_lags
from eiso.framework.source import GitFramework, open_framework
from eiso.documents.model import Document


def framework_at(agency_root: Path, option: str | None, rev: str | None) -> GitFramework | None:
    """The framework at agency revision ``rev`` (None: as checked out in the working tree)."""
    if not option or rev is None:
        return open_framework(agency_root, option)
    path = str(option).strip("/")
    try:
        listing = run_git(Path(agency_root), "--literal-pathspecs", "ls-tree", "-z", rev, "--", path)
    except GitError:
        return open_framework(agency_root, option)
    links = [entry.sha for entry in parse_ls_tree(listing.stdout) if entry.kind == "commit"]
    # Not a submodule at that revision (a plain folder, or none yet): the checked-out framework.
    return open_framework(agency_root, option, links[0] if links else None)


@dataclass
class FrameworkChange:
    old_commit: str | None
    new_commit: str | None
    changed: list[str] = field(default_factory=list)  # codes of adopted documents whose effective content changed
    behind: list[str] = field(default_factory=list)  # "CODE: lần 2 → khung lần 3" under the new framework

    def to_dict(self) -> dict:
        return {"old_commit": self.old_commit, "new_commit": self.new_commit, "changed": self.changed,
                "behind": self.behind}

    def to_markdown(self) -> str:
        lines = ["### Mô hình khung", "",
                 f"Kho mô hình khung chuyển từ commit `{(self.old_commit or '—')[:10]}` sang `{(self.new_commit or '—')[:10]}`.", ""]
        if self.changed:
            lines.append("Tài liệu áp dụng khung có nội dung hiệu lực thay đổi: " + ", ".join(map(md, self.changed)) + ".")
        else:
            lines.append("Không tài liệu áp dụng nào thay đổi nội dung hiệu lực.")
        if self.behind:
            lines += ["", "Tài liệu chậm so với khung mới (cập nhật bằng `eiso adopt --update`): "
                      + "; ".join(map(md, self.behind)) + "."]
        return "\n".join(lines) + "\n\n"


def framework_change(old: GitFramework | None, new: GitFramework | None, changed_docs: list[Document],
                     head_docs: list[Document]) -> FrameworkChange | None:
    """What moving the framework did, or None when both sides pin the same framework commit."""
    old_commit, new_commit = (old.commit if old else None), (new.commit if new else None)
    if old_commit == new_commit:
        return None
    change = FrameworkChange(old_commit, new_commit)
    change.changed = sorted({doc.meta.code for doc in changed_docs if doc.adoption is not None})
    change.behind = [f"{lag.document.meta.code}: lần {lag.adopted} → khung lần {lag.latest}"
                     for lag in adoption_lags(head_docs, new)]
    return change
