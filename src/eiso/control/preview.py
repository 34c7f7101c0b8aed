"""Draft preview of a merge request: which documents it changes, compared with its target branch."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from eiso.control.diff import compare
from eiso.control.gitfiles import GitError, head_commit, merge_base, read_snapshot

ENV_FLAG = "EISO_DRAFT_PREVIEW"


@dataclass(frozen=True)
class PreviewChange:
    code: str
    title: str
    slug: str
    status: str  # "added" | "changed" | "removed"


def preview_base() -> str | None:
    """The revision to compare with, or None when this is not a preview build.

    ``EISO_DRAFT_PREVIEW=1`` compares with the MR's target branch (GitLab's
    ``CI_MERGE_REQUEST_TARGET_BRANCH_NAME``, GitHub's ``GITHUB_BASE_REF``, else ``main``);
    any other value is taken as the revision itself.
    """
    value = os.environ.get(ENV_FLAG, "").strip()
    if value.lower() in {"", "0", "false", "no"}:
        return None
    if value.lower() not in {"1", "true", "yes"}:
        return value
    target = os.environ.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME") or os.environ.get("GITHUB_BASE_REF")
    return f"origin/{target}" if target else "main"


def changed_documents(root: Path, procedures_dir: str, base: str) -> list[PreviewChange]:
    """Documents the working tree adds, changes or removes compared with the merge-base of ``base``."""
    head = head_commit(root)
    try:
        since = (merge_base(root, base, head) if head else None) or base
    except GitError:
        since = base
    old = read_snapshot(root, procedures_dir, since)
    new = read_snapshot(root, procedures_dir, None)
    result = compare(old.documents, new.documents, old.files, new.files, head_unreadable=new.unreadable)
    from eiso.documents.text import slugify

    return [
        PreviewChange(d.code, d.title, slugify(d.code), d.status)
        for d in result.documents
        if d.status in ("added", "removed") or (d.status == "changed" and (d.content_changed or d.renamed or d.recoded))
    ]
