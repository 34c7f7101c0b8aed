"""A rebuild after edits of document bodies takes the previous build's plan (``eiso.sites.snapshot``): its site is
byte-identical to a clean build, and anything more than a body edit (or a snapshot that is not this user's own)
makes the build plan everything again."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_eiso
from factory import folder_tree
from gitrepo import Git
from serving import LivePreview, free_port

from eiso.documents.cache import signing_key
from eiso.sites.snapshot import SnapshotStore

TAKEN = "theo kế hoạch của lần dựng trước"  # what the build says when it takes the previous plan
PAGE = "quy-trinh/qt-ht-01/"  # the page of procedures/tthc/khai-sinh.md


def _build(repo: Path, site: str, *extra: str) -> subprocess.CompletedProcess:
    return run_eiso("build", "-d", site, *extra, cwd=repo, timeout=300)


def _same_as_clean(repo: Path, *extra: str) -> str:
    """Build into site/ (incrementally) and into clean/ (from nothing); return the first build's log."""
    result = _build(repo, "site", *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    shutil.rmtree(repo / "clean", ignore_errors=True)
    clean = _build(repo, "clean", "--clean", *extra)
    assert clean.returncode == 0, clean.stderr[-3000:]
    built, expected = folder_tree(repo / "site"), folder_tree(repo / "clean")
    assert sorted(built) == sorted(expected)
    different = [name for name in expected if built[name] != expected[name]]
    assert not different, different[:10]
    return result.stderr


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture
def built(repo: Path) -> tuple[Path, list[Path]]:
    Git(repo).init().commit_all("Tài liệu ban đầu")
    result = _build(repo, "site")
    assert result.returncode == 0, result.stderr[-3000:]
    assert list((repo / ".eiso-cache").glob("plan-*.pickle"))
    return repo, sorted((repo / "procedures").rglob("*.md"))


def test_body_edits_take_the_previous_plan_and_match_a_clean_build(built) -> None:
    repo, documents = built
    _append(documents[0], "\nMột đoạn mới của tài liệu thứ nhất.\n")
    _append(documents[1], "\nMột đoạn mới của tài liệu thứ hai.\n")
    log = _same_as_clean(repo)
    assert TAKEN in log and "dựng lại 2 trang" in log, log[-2000:]
    pages = "".join(p.read_text(encoding="utf-8") for p in (repo / "site" / "quy-trinh").glob("*/index.html"))
    assert "Một đoạn mới của tài liệu thứ nhất." in pages and "Một đoạn mới của tài liệu thứ hai." in pages
    # Again: the second rebuild reads the pages the first one pickled anew.
    _append(documents[0], "\nĐoạn thứ ba.\n")
    log = _same_as_clean(repo)
    assert TAKEN in log and "dựng lại 1 trang" in log, log[-2000:]
    # Nothing changed at all: every page kept.
    log = _same_as_clean(repo)
    assert TAKEN in log and "dựng lại 0 trang" in log, log[-2000:]


def test_a_body_edit_with_a_new_finding_plans_everything(built) -> None:
    """The snapshot never lets an edited body skip the check: a script in it is reported (the lists of findings,
    and the portal's own figures, change) and left out of the page, as by a full plan."""
    repo, documents = built
    _append(documents[0], "\n<script>alert('XSS')</script>\n")
    log = _same_as_clean(repo)
    assert TAKEN not in log
    assert f"{documents[0].relative_to(repo).as_posix()}:" in log and "<script>" in log
    assert "alert('XSS')" not in "".join(p.read_text(encoding="utf-8") for p in (repo / "site").rglob("*.html"))
    # The warning stays while the body keeps the script; a later body edit takes the plan and says it again.
    _append(documents[0], "\nMột đoạn mới.\n")
    log = _same_as_clean(repo)
    assert TAKEN in log and "<script>" in log


def _front_matter(repo: Path, documents: list[Path]) -> None:
    text = documents[0].read_text(encoding="utf-8")
    documents[0].write_text(text.replace("\ntitle: ", "\ntitle: Sửa tên – ", 1), encoding="utf-8")


def _attachment(repo: Path, documents: list[Path]) -> None:
    next((repo / "procedures").rglob("*.docx")).write_bytes(b"PK\x03\x04 another form")


def _new_document(repo: Path, documents: list[Path]) -> None:
    text = documents[0].read_text(encoding="utf-8")
    code = next(line for line in text.splitlines() if line.startswith("code: "))
    documents[0].with_name("ban-sao.md").write_text(text.replace(code, "code: QT-MOI-01", 1), encoding="utf-8")


def _page_removed(repo: Path, documents: list[Path]) -> None:
    pages = sorted((repo / "site" / "quy-trinh").glob("*/index.html"))
    pages[-1].unlink()


def _data_file_changed(repo: Path, documents: list[Path]) -> None:
    (repo / "site" / "api" / "documents.json").write_text("[]", encoding="utf-8")


def _legal_register(repo: Path, documents: list[Path]) -> None:
    shutil.copy(REPO / "legal.yml", repo / "legal.yml")


@pytest.mark.parametrize("change", [_front_matter, _attachment, _new_document, _page_removed, _data_file_changed,
                                    _legal_register])
def test_more_than_a_body_edit_plans_everything(built, change) -> None:
    repo, documents = built
    _append(documents[1], "\nMột đoạn mới.\n")
    change(repo, documents)
    log = _same_as_clean(repo)
    assert TAKEN not in log, change.__name__


def test_a_document_turned_into_a_link_out_is_refused_as_by_a_full_plan(built) -> None:
    """The worst a path can do: the same name, now a link to a file outside the repository."""
    repo, documents = built
    secret = repo.parent / "bi-mat.md"
    secret.write_text(documents[1].read_text(encoding="utf-8") + "\nBÍ MẬT NGOÀI KHO\n", encoding="utf-8")
    documents[1].unlink()
    documents[1].symlink_to(secret)
    result = _build(repo, "site")
    assert TAKEN not in result.stderr
    assert result.returncode != 0 and "liên kết trỏ ra ngoài kho" in result.stderr
    assert "BÍ MẬT NGOÀI KHO" not in "".join(p.read_text(encoding="utf-8") for p in (repo / "site").rglob("*.html"))


def test_folders_named_with_a_dot_are_watched(repo: Path) -> None:
    """Trusted signers kept in ``.gitlab/``: that folder's files are inputs too (its name kept whole)."""
    from eiso.mkdocs.plans import _inside_root

    (repo / ".gitlab").mkdir()
    assert _inside_root(".gitlab", repo) == ".gitlab"
    assert _inside_root(".", repo) == "" and _inside_root("..", repo) is None
    assert _inside_root(str(repo / "procedures"), repo) == "procedures"


def test_another_as_of_date_plans_everything(built) -> None:
    repo, documents = built
    _append(documents[1], "\nMột đoạn mới.\n")
    assert TAKEN not in _same_as_clean(repo, "--as-of", "2030-01-01")


class _Planted:
    """A pickle that, once loaded, creates ``marker``."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch '{self.marker}'",))


def test_a_snapshot_that_is_not_this_users_is_never_unpickled(built, tmp_path: Path) -> None:
    """``.eiso-cache/`` can come in a merge request: a pages file or a snapshot written by anyone else must not run
    code. The snapshot is signed with this user's key; each page is checked against the hash the snapshot names."""
    repo, documents = built
    marker = tmp_path / "pickle-ran"
    planted = pickle.dumps(_Planted(marker))
    store = SnapshotStore(repo / ".eiso-cache", repo / "site", signing_key())  # the site's (clean/ has its own)
    snapshot = store.load()
    assert snapshot is not None and snapshot.stored
    pages = bytearray(store.pages_path.read_bytes())
    for offset, _, _ in snapshot.stored.values():  # a payload exactly where each page starts
        pages[offset:offset + len(planted)] = planted
    store.pages_path.write_bytes(bytes(pages))
    _append(documents[0], "\nMột đoạn mới.\n")
    assert TAKEN not in _same_as_clean(repo)  # no page it names could be read: planned in full
    assert store.path.is_file()
    store.path.write_bytes(bytes(32) + planted)  # no key to sign it with
    _append(documents[0], "\nĐoạn khác.\n")
    assert TAKEN not in _same_as_clean(repo)
    assert not marker.exists()


@pytest.mark.slow
def test_body_edits_in_the_demo_match_a_clean_build(tmp_path: Path) -> None:
    """The demo has what a small site lacks: a revision not yet in force (its page shows the working file, the page in
    force an earlier commit), records that name documents, approvals, a legal register and hand-written pages."""
    repo = tmp_path / "demo"
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_demo.py"), str(repo)], capture_output=True,
                   text=True, timeout=300, check=True)
    as_of = ("--as-of", "2026-12-01")  # before the upcoming revision of QT-HTICH-01 (2027-06-01)
    assert _build(repo, "site", *as_of).returncode == 0
    upcoming = next(p for p in (repo / "procedures").rglob("*.md") if "code: QT-HTICH-01" in p.read_text(encoding="utf-8"))
    concerned = [p for p in sorted((repo / "procedures").rglob("*.md")) if p != upcoming][:3]
    for path in [upcoming, *concerned]:
        _append(path, "\nGhi chú bổ sung khi rà soát.\n")
    log = _same_as_clean(repo, *as_of)
    assert TAKEN in log, log[-3000:]
    coming = (repo / "site" / "quy-trinh" / "qt-htich-01" / "sap-hieu-luc" / "index.html").read_text(encoding="utf-8")
    in_force = (repo / "site" / "quy-trinh" / "qt-htich-01" / "index.html").read_text(encoding="utf-8")
    assert "Ghi chú bổ sung khi rà soát." in coming and "Ghi chú bổ sung khi rà soát." not in in_force


@pytest.mark.slow
def test_the_live_preview_takes_the_previous_plan_and_matches_its_own_full_build(repo: Path, tmp_path: Path) -> None:
    """``eiso serve`` rebuilds a body edit from the plan of its previous build (no reading, checking or planning of
    the other documents), into the same output as a new session's full build; each session starts from nothing in
    a new temporary folder, so the cache folder keeps one plan and one page cache for the live preview, not one
    more per session."""
    Git(repo).init().commit_all("Tài liệu ban đầu")
    port = free_port()
    source = repo / "procedures" / "tthc" / "khai-sinh.md"
    first = LivePreview(repo, port, tmp_path / "tmp1", tmp_path / "serve1.log")
    try:
        first.wait_for(PAGE, "</html>")
        _append(source, "\nĐoạn thêm khi xem trước.\n")
        first.wait_for(PAGE, "Đoạn thêm khi xem trước.")
        edited = first.settled_site()
    finally:
        first.stop()
    log = (tmp_path / "serve1.log").read_text(encoding="utf-8")
    assert TAKEN in log and "dựng lại 1 trang" in log, log[-3000:]
    second = LivePreview(repo, port, tmp_path / "tmp2", tmp_path / "serve2.log")
    try:
        second.wait_for(PAGE, "Đoạn thêm khi xem trước.")
        clean = second.settled_site()
    finally:
        second.stop()
    assert TAKEN not in (tmp_path / "serve2.log").read_text(encoding="utf-8")  # a new folder: built in full
    assert [name for name in clean if edited.get(name) != clean[name]] == []
    # and, in the first session's folder, the previous search index's shards, kept for pages loaded meanwhile
    assert all(name.startswith("search/eiso-") for name in edited.keys() - clean.keys())
    kept = sorted(p.name for p in (repo / ".eiso-cache").iterdir() if p.name.startswith(("plan-", "pages-")))
    assert kept == ["pages-serve.json", "plan-serve.pages", "plan-serve.pickle"]
