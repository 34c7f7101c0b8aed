"""Incremental builds: only what changed is rendered again, and the site is byte-identical to a clean build."""

from __future__ import annotations

import filecmp
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, run_eiso
from factory import folder_tree, tthc_meta, write_doc
from gitrepo import Git


def _build(repo: Path, site: str, *extra: str) -> str:
    result = run_eiso("build", "-d", site, *extra, cwd=repo, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


def _same_as_clean(repo: Path, *extra: str) -> int:
    """Build incrementally into site/ and cleanly into clean/; return how many pages were reused."""
    log = _build(repo, "site", *extra)
    shutil.rmtree(repo / "clean", ignore_errors=True)
    _build(repo, "clean", "--clean", *extra)
    incremental, clean = folder_tree(repo / "site"), folder_tree(repo / "clean")
    assert sorted(incremental) == sorted(clean)
    different = [name for name in clean if incremental[name] != clean[name]]
    assert not different, different[:10]
    match = re.search(r"dùng lại (\d+) trang không đổi, dựng lại (\d+) trang", log)
    assert match, log[-2000:]
    return int(match.group(1))


@pytest.fixture
def built(repo: Path) -> tuple[Path, Git, int]:
    git = Git(repo)
    if not (repo / ".git").exists():
        git.init()
    git.commit_all("Tài liệu ban đầu")
    _build(repo, "site")
    pages = len(list((repo / "site" / "quy-trinh").rglob("index.html")))
    return repo, git, pages


def test_an_edit_rebuilds_only_its_page_and_matches_a_clean_build(built) -> None:
    repo, git, pages = built
    document = sorted((repo / "procedures").rglob("*.md"))[0]
    master_list = repo / "site" / "danh-muc" / "index.html"
    written = master_list.stat().st_mtime_ns
    document.write_text(document.read_text(encoding="utf-8") + "\nMột đoạn mới.\n", encoding="utf-8")
    _same_as_clean(repo)  # while editing (as in `eiso serve`): the history is unchanged
    assert master_list.stat().st_mtime_ns == written  # the lists show no body: not rendered again
    git.commit_all("Sửa một tài liệu")  # the commit changes the document's row (its last change)
    reused = _same_as_clean(repo)
    assert reused >= pages - 1  # the edited page and the lists are rebuilt; no other document page
    assert "Một đoạn mới." in (repo / "site").joinpath(*_url_of(document)).read_text(encoding="utf-8")


def test_a_rename_and_a_deletion_leave_nothing_behind(built) -> None:
    repo, git, _ = built
    documents = sorted((repo / "procedures").rglob("*.md"))
    documents[0].rename(documents[0].with_name("doi-ten.md"))
    documents[1].unlink()
    git.commit_all("Đổi tên một tài liệu, xóa một tài liệu")
    _same_as_clean(repo)


def test_the_public_portal_after_an_edit_a_rename_and_a_deletion_matches_a_clean_build(repo: Path) -> None:
    git = Git(repo)
    if not (repo / ".git").exists():
        git.init()
    shutil.copy(REPO / "mkdocs.public.yml", repo / "mkdocs.public.yml")
    (repo / "docs-public").mkdir(exist_ok=True)
    (repo / "docs-public" / "index.md").write_text("# Thủ tục hành chính\n", encoding="utf-8")
    public = [write_doc(repo, f"tthc/cong-khai-{n}.md", tthc_meta(f"QT-CK-{n:02d}", title=f"Công khai {n}"),
                        f"## Lưu ý cho người dân {{.public}}\n\nCông khai {n}.\n") for n in range(1, 4)]
    git.commit_all("Ba thủ tục công khai")
    _build(repo, "site", "--public")
    public[0].write_text(public[0].read_text(encoding="utf-8").replace("Công khai 1.", "Công khai 1, đã sửa."),
                         encoding="utf-8")
    git.commit_all("Sửa một thủ tục")
    assert _same_as_clean(repo, "--public") > 0
    assert "đã sửa" in (repo / "site" / "thu-tuc" / "qt-ck-01" / "index.html").read_text(encoding="utf-8")
    public[1].rename(public[1].with_name("doi-ten.md"))
    public[2].unlink()
    git.commit_all("Đổi tên một thủ tục, xóa một thủ tục")
    _same_as_clean(repo, "--public")
    assert not (repo / "site" / "thu-tuc" / "qt-ck-03").exists()


def test_hidden_entries_at_the_top_of_the_output_are_kept_as_by_a_clean_build(built) -> None:
    """A deploy checkout (``site/.git``) or ``.nojekyll`` survives the engine's clean build: a dirty one must not
    delete them either, while stale files inside folders, hidden or not, still go."""
    repo, _, _ = built
    site = repo / "site"
    (site / ".git" / "objects").mkdir(parents=True)
    (site / ".git" / "HEAD").write_text("ref: refs/heads/pages\n", encoding="utf-8")
    (site / ".nojekyll").write_text("", encoding="utf-8")
    (site / "quy-trinh" / ".stale").write_text("cũ", encoding="utf-8")
    (site / "quy-trinh" / "cu" / "rong").mkdir(parents=True)
    _build(repo, "site")
    assert (site / ".git" / "HEAD").read_text(encoding="utf-8") == "ref: refs/heads/pages\n"
    assert (site / ".git" / "objects").is_dir() and (site / ".nojekyll").is_file()
    assert not (site / "quy-trinh" / ".stale").exists() and not (site / "quy-trinh" / "cu").exists()


def test_a_configuration_change_rebuilds_everything(built) -> None:
    repo, git, _ = built
    config = repo / "mkdocs.yml"
    config.write_text(re.sub(r"^site_name: .*$", "site_name: UBND xã Hòa Bình (mới)", config.read_text(
        encoding="utf-8"), count=1, flags=re.M), encoding="utf-8")
    git.commit_all("Đổi tên trang")
    assert _same_as_clean(repo) == 0


def test_an_output_file_changed_by_hand_is_rebuilt(built) -> None:
    repo, _, _ = built
    page = next((repo / "site" / "quy-trinh").rglob("index.html"))
    page.write_text("hỏng", encoding="utf-8")
    _same_as_clean(repo)
    assert filecmp.cmp(page, repo / "clean" / page.relative_to(repo / "site"), shallow=False)


def _url_of(document: Path) -> tuple[str, ...]:
    from eiso.documents.loader import parse_document  # noqa: F401  (the slug rule lives in the core)
    from eiso.documents.text import slugify

    code = re.search(r"^code:\s*(.+)$", document.read_text(encoding="utf-8"), re.M).group(1).strip().strip("'\"")
    return ("quy-trinh", slugify(code), "index.html")


def test_a_title_change_reaches_every_page_that_shows_it(built) -> None:
    """Pages are keyed on what their templates are given: a page linking to a document, and the lists, must
    be rebuilt when that document's title changes, though their own files did not change."""
    from eiso.documents.loader import load_corpus

    repo, git, _ = built
    documents = load_corpus(repo, "procedures").documents
    target, linking = next((b, a) for a in documents for b in documents if b.meta.code in a.meta.related)
    source = repo / target.path
    text = source.read_text(encoding="utf-8")
    new_title = target.meta.title + " (sửa tên)"
    source.write_text(text.replace(f"title: {target.meta.title}\n", f"title: {new_title}\n", 1), encoding="utf-8")
    assert source.read_text(encoding="utf-8") != text
    git.commit_all("Đổi tên một tài liệu")
    _same_as_clean(repo)
    linking_page = (repo / "site" / linking.url / "index.html").read_text(encoding="utf-8")
    assert new_title in linking_page
    assert new_title in (repo / "site" / "danh-muc" / "index.html").read_text(encoding="utf-8")


def test_a_page_cache_from_a_merge_request_is_not_trusted(built) -> None:
    """``.eiso-cache/`` and ``site/`` are git-ignored, but a merge request can still commit both: a page of its
    own with a cache entry claiming that page as the previous build's output. The next build must not keep it.
    The cache is signed with this user's key, which no repository holds."""
    import hashlib
    import json

    from eiso.filestate import file_signature

    repo, _, _ = built
    page = next((repo / "site" / "quy-trinh").rglob("index.html"))
    uri = page.relative_to(repo / "site").with_suffix(".md").as_posix()
    forged_page = page.read_text(encoding="utf-8").replace("</body>", "<script>alert('FORGED')</script></body>")
    page.write_text(forged_page, encoding="utf-8")
    cache = next((repo / ".eiso-cache").glob("pages-*.json"))
    data = cache.read_bytes()
    start = 32  # past the HMAC-SHA256 signature (searching for "{" fails when the signature holds one)
    # a header line (the number of pages), [uri, page, entry size] per page, then the entries and other outputs
    head, rest = data[start:].split(b"\n", 1)
    count = json.loads(head)["pages"]
    *lines, tail = rest.split(b"\n", count)
    pages = {json.loads(line)[0]: json.loads(line) for line in lines}
    assert uri in pages, sorted(pages)[:5]
    fields = pages[uri][1]
    fields["output"] = hashlib.sha256(page.read_bytes()).hexdigest()
    fields["signature"] = list(file_signature(page))  # the forged page's own: only the cache's key tells
    forged = b"\n".join([head, *(json.dumps(line).encode() for line in pages.values()), tail])
    cache.write_bytes(b"\0" * start + forged)  # the attacker has no key to sign with
    _same_as_clean(repo)
    assert "FORGED" not in page.read_text(encoding="utf-8")


def test_search_files_left_unchanged_are_reused_only_as_written(built) -> None:
    """An edit of one body leaves most term shards as they were: their compressed files are taken from the
    previous build, unless they were changed since (then compressed again, as by a clean build)."""
    repo, _, _ = built
    titles = sorted((repo / "site" / "search").glob("eiso-titles-*.json.gz"))
    assert titles
    kept, damaged = titles[0].stat().st_mtime_ns, titles[-1]
    damaged.write_bytes(b"\x1f\x8b hong")
    document = sorted((repo / "procedures").rglob("*.md"))[0]
    document.write_text(document.read_text(encoding="utf-8") + "\nMột đoạn mới.\n", encoding="utf-8")
    _same_as_clean(repo)  # the damaged file was compressed again: byte-identical to the clean build
    if titles[0] != damaged:
        assert titles[0].stat().st_mtime_ns > kept  # written again, with the bytes it had
