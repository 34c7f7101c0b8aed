"""The change policy of a merge request: ``eiso check --against REV``.

ISO 9001:2015 clause 7.5.3 asks that changed documents be identified, reviewed
and re-approved, and that obsolete documents be kept identifiable rather than
lost. In e-ISO the merge request is the review; this policy checks what the
files themselves must say. The working tree (the head of the merge request) is
compared with the merge-base of ``REV`` and HEAD (with ``REV`` itself when the
histories share no commit), document by document as ``eiso diff`` matches them.

Rules (every breach is a finding with ``rule="policy-…"``):

``policy-revision``
    A document whose content changed (front matter, body, or the bytes of one
    of its form files) must have ``revision`` raised by exactly one. Moving or
    renaming the file alone is no change. Exceptions: a document that was a
    draft at BASE is not yet issued, so its revision may stay or rise by one;
    a withdrawal (only ``status`` → ``withdrawn`` and perhaps ``effective``
    changed) may keep its revision.
``policy-effective``
    The ``effective`` date may not be earlier than the one at BASE.
``policy-approval``
    A changed document that is not a draft names its approver
    (``approved_by``). For ``status: effective`` this is already an error of
    ``eiso check`` (rule ``required``), so it is reported here only for
    ``withdrawn`` documents, to avoid two findings for one fact.
``policy-draft``
    A document that was effective at BASE may not become a draft: that would
    take the issued revision off the portal while the next one is still being
    written. Prepare the next revision on a branch and merge it when approved.
``policy-code-reuse``
    A code that belonged at BASE to another document (another path, another
    title) may not be given to a new document: bookmarks, QR codes and
    printed copies name that code, and the old document's records refer to it.
``policy-delete``
    An effective document may not be deleted: it must first be withdrawn
    (``status: withdrawn``) by a merge request, so that the obsolete revision
    stays identifiable; a withdrawn (or draft) document may then be deleted.
    The finding is located at the deleted path, line 1.
``policy-new-revision`` (warning)
    A new document starts at revision 1. A higher number is only a warning,
    because a document carried over from the paper system keeps its number;
    when BASE had no document at all (the first import) the rule is skipped.
"""

from __future__ import annotations

from pathlib import Path

from eiso.control.diff import compare
from eiso.control.diff_model import DocumentDiff
from eiso.documents.findings import Finding
from eiso.control.gitfiles import GitError, head_commit, merge_base, read_snapshot
from eiso.documents.model import Document, Status

__all__ = ["check_policy", "policy_findings"]

_WITHDRAWAL_FIELDS = {"status", "effective"}


def check_policy(root: Path, procedures_dir: str, against: str) -> list[Finding]:
    """Findings of the change policy for the working tree compared with ``against``."""
    root = Path(root).resolve()
    base_rev = against
    head = head_commit(root)
    if head is not None:
        try:
            base_rev = merge_base(root, against, head) or against
        except GitError:
            base_rev = against  # reading ``against`` below gives the precise error
    base = read_snapshot(root, procedures_dir, base_rev)
    current = read_snapshot(root, procedures_dir, None)
    diff = compare(base.documents, current.documents, base.files, current.files,
                   head_unreadable=current.unreadable)
    first_import = not base.documents and not base.findings
    return sorted(policy_findings(diff.documents, first_import=first_import, base_rev=against,
                                  base_unreadable=base.unreadable))


def policy_findings(changes: list[DocumentDiff], *, first_import: bool = False, base_rev: str = "BASE",
                    base_unreadable: set[str] | frozenset[str] = frozenset()) -> list[Finding]:
    """The findings for the documents of a comparison (see :func:`eiso.diff.compare`).

    ``base_unreadable``: paths that did not load at BASE; a document there now is not new.
    """
    findings: list[Finding] = []
    for change in changes:
        if change.status == "removed" and change.base is not None:
            findings += _deleted(change.base)
        elif change.status == "added" and change.head is not None:
            findings += _added(change, change.head, first_import or change.head.path in base_unreadable)
        elif change.status == "changed" and change.base is not None and change.head is not None:
            findings += _changed(change, change.base, change.head, base_rev)
    return findings


def _deleted(old: Document) -> list[Finding]:
    if old.meta.status is not Status.effective:
        return []
    return [Finding(
        old.path, 1, "-",
        f"tài liệu đang hiệu lực «{old.meta.code}» (lần ban hành {old.meta.revision}) bị xóa; theo ISO 9001 "
        "mục 7.5.3, tài liệu lỗi thời phải được lưu giữ và nhận biết: trước hết chuyển «status: withdrawn» "
        "(hết hiệu lực) trong một yêu cầu hợp nhất (MR) riêng, sau đó mới được xóa tệp",
        "policy-delete",
    )]


def _added(change: DocumentDiff, new: Document, not_new: bool) -> list[Finding]:
    found = []
    if change.reused_code_from:
        found.append(_reuse(new, change.reused_code_from))
    if not not_new and new.meta.revision > 1:
        found.append(Finding(
            new.path, new.line_of("revision"), "revision",
            f"tài liệu mới nên bắt đầu từ lần ban hành 1, không phải {new.meta.revision} "
            "(bỏ qua nếu đây là tài liệu chuyển từ hồ sơ giấy và giữ số lần ban hành cũ)",
            "policy-new-revision", "warning",
        ))
    return found


def _reuse(new: Document, owner_path: str) -> Finding:
    return Finding(
        new.path, new.line_of("code"), "code",
        f"mã hiệu «{new.meta.code}» đã thuộc về một tài liệu khác ({owner_path}); không dùng lại mã hiệu "
        "của tài liệu cũ cho tài liệu mới, hãy chọn mã hiệu chưa dùng (eiso new gợi ý mã kế tiếp)",
        "policy-code-reuse",
    )


def _changed(change: DocumentDiff, old: Document, new: Document, base_rev: str) -> list[Finding]:
    found: list[Finding] = []
    if change.reused_code_from:
        found.append(_reuse(new, change.reused_code_from))
    if not change.content_changed:
        return found
    before, after = old.meta, new.meta
    line = new.line_of

    withdrawal = (
        after.status is Status.withdrawn
        and before.status is not Status.withdrawn
        and {f.field for f in change.fields} <= _WITHDRAWAL_FIELDS | {"revision"}
        and not any((change.dossier, change.channels, change.steps, change.legal_basis, change.records,
                     change.forms, change.body))
    )
    if before.status is Status.draft or withdrawal:
        allowed = {before.revision, before.revision + 1}
    else:
        allowed = {before.revision + 1}
    if after.revision not in allowed:
        found.append(Finding(new.path, line("revision"), "revision",
                             _revision_message(before.revision, after.revision, before.status, withdrawal, base_rev),
                             "policy-revision"))

    if before.effective and after.effective and after.effective < before.effective:
        found.append(Finding(
            new.path, line("effective"), "effective",
            f"ngày hiệu lực {after.effective:%d/%m/%Y} sớm hơn ngày hiệu lực của lần ban hành trước "
            f"({before.effective:%d/%m/%Y})",
            "policy-effective",
        ))

    if after.status is Status.withdrawn and after.approved_by is None:
        found.append(Finding(
            new.path, line("status"), "approved_by",
            "tài liệu có thay đổi phải ghi người phê duyệt (approved_by), trừ khi còn là dự thảo (status: draft)",
            "policy-approval",
        ))

    if after.status is Status.draft and before.status is Status.effective:
        found.append(Finding(
            new.path, line("status"), "status",
            f"tài liệu đang hiệu lực (lần ban hành {before.revision}) không được chuyển về dự thảo: lần ban hành "
            "hiện hành sẽ biến mất khỏi cổng thông tin; hãy soạn lần ban hành mới trên nhánh riêng và chỉ hợp nhất "
            "khi đã được phê duyệt (status: effective), hoặc chuyển «withdrawn» nếu tài liệu hết hiệu lực",
            "policy-draft",
        ))
    return found


def _revision_message(old: int, new: int, status: Status, withdrawal: bool, base_rev: str) -> str:
    what = "thu hồi" if withdrawal else "thay đổi nội dung"
    if status is Status.draft or withdrawal:
        expected = f"{old} hoặc {old + 1}"
    else:
        expected = str(old + 1)
    if new == old:
        head = f"nội dung tài liệu đã thay đổi so với {base_rev} nhưng lần ban hành vẫn là {old}"
    elif new < old:
        head = f"lần ban hành giảm từ {old} xuống {new}"
    else:
        head = f"lần ban hành tăng từ {old} lên {new}, nhảy quá một bậc"
    return f"{head}; khi {what} phải ghi lần ban hành {expected}"
