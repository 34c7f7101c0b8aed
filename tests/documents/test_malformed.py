"""Broken and hostile files through the real command: exit 1, a located message, no traceback, fast."""

from __future__ import annotations

import json
import re
import time
import unicodedata

import pytest
from conftest import run_eiso
from factory import document_text, make_repo, system_meta

LOCATED = re.compile(r"^procedures/[^:]+\.md:\d+: [^:]+: .+$", re.MULTILINE)


def check(repo, *extra):
    started = time.monotonic()
    result = run_eiso("check", *extra, cwd=repo, timeout=30)
    elapsed = time.monotonic() - started
    assert "Traceback" not in result.stdout + result.stderr
    assert elapsed < 15, f"eiso check took {elapsed:.1f} s"
    return result


def add(repo, name: str, content: bytes | str):
    path = repo / "procedures" / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


CASES = {
    "bad-yaml.md": "---\ncode: QT-X\ntitle: 'không đóng\n---\nx\n",
    "wrong-types.md": document_text(system_meta(code="QT-X", revision="một", review_months=[1])),
    "duplicate.md": document_text(system_meta(code="qt nb 01")),
    "alias-bomb.md": "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
    "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n---\n",
    "python-tag.md": "---\ncode: !!python/object/apply:os.system ['touch PWNED']\n---\n",
    "deep.md": "---\ncode: " + "[" * 10000 + "]" * 10000 + "\n---\n",
    "not-closed.md": "---\ncode: QT-X\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_malformed_file_gives_a_located_finding(repo, name):
    add(repo, name, CASES[name])
    result = check(repo)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in LOCATED.findall(result.stdout) if line.startswith(f"procedures/{name}")]
    assert lines, result.stdout
    assert not (repo / "PWNED").exists()


def test_all_problems_reported_in_one_run(repo):
    for name, content in CASES.items():
        add(repo, name, content)
    result = check(repo, "--format", "json")
    assert result.returncode == 1
    findings = json.loads(result.stdout)
    assert {f["path"] for f in findings} >= {f"procedures/{name}" for name in CASES}
    assert all({"path", "line", "field", "message"} <= set(f) for f in findings)


def test_five_megabyte_file(repo):
    add(repo, "huge.md", document_text(system_meta(code="QT-BIG")) + "Nội dung rất dài.\n" * 300_000)
    result = check(repo)
    assert result.returncode == 1
    assert re.search(r"^procedures/huge\.md:1: -: tệp quá lớn", result.stdout, re.MULTILINE)


def test_binary_file_named_md(repo):
    add(repo, "image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)
    result = check(repo)
    assert result.returncode == 1
    assert re.search(r"^procedures/image\.md:\d+: -: tệp nhị phân", result.stdout, re.MULTILINE)


def test_invalid_utf8(repo):
    add(repo, "latin1.md", document_text(system_meta(code="QT-L")).encode("utf-8") + "é\n".encode("latin-1"))
    result = check(repo)
    assert result.returncode == 1 and "không phải mã UTF-8" in result.stdout


def test_nfd_bom_crlf_file_is_accepted_and_clashes_by_slug(repo):
    text = document_text(system_meta(code="QT-ĐK-01", title="Điều khoản"))
    raw = ("\ufeff" + unicodedata.normalize("NFD", text)).replace("\n", "\r\n")
    add(repo, "nfd.md", raw)
    assert check(repo).returncode == 0
    add(repo, "nfc.md", document_text(system_meta(code="QT-ĐK-01", title="Khác")))
    result = check(repo)
    assert result.returncode == 1 and "trùng" in result.stdout


def test_clean_repository_exits_zero(repo):
    result = check(repo)
    assert result.returncode == 0 and "Không có lỗi" in result.stdout


def test_usage_errors_exit_two(tmp_path):
    result = run_eiso("check", cwd=tmp_path)
    assert result.returncode == 2 and "mkdocs.yml" in result.stderr and "Traceback" not in result.stderr


def test_json_format_is_parseable_and_located(repo):
    add(repo, "wrong.md", CASES["wrong-types.md"])
    findings = json.loads(check(repo, "--format", "json").stdout)
    revision = next(f for f in findings if f["field"] == "revision")
    lines = (repo / "procedures" / "wrong.md").read_text(encoding="utf-8").split("\n")
    assert lines[revision["line"] - 1].startswith("revision:")
