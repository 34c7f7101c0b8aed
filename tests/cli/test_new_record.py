"""``eiso new --kind nonconformity|audit|management_review``: odd titles, broken record files."""

import datetime as dt
from zoneinfo import ZoneInfo

from conftest import run_eiso

from eiso.records.loader import load_records


def _year() -> int:
    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year


def _record_files(repo):
    return sorted(p.relative_to(repo).as_posix() for p in (repo / "records").rglob("*") if p.is_file()) \
        if (repo / "records").is_dir() else []


def test_a_title_with_bytes_that_are_not_utf8_is_refused_before_any_file(repo):
    before = _record_files(repo)
    # subprocess passes lone surrogates as the raw bytes \xff\xfe, as a shell would.
    result = run_eiso("new", "--kind", "audit", "bad\udcff\udcfe", cwd=repo)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "tên hồ sơ" in result.stderr and "U+DCFF" in result.stderr
    assert "Traceback" not in result.stderr and "không mong đợi" not in result.stderr
    assert _record_files(repo) == before


def test_delete_and_control_characters_in_title_or_unit_are_refused(repo):
    before = _record_files(repo)
    title = run_eiso("new", "--kind", "nonconformity", "Sổ\x7f theo dõi", cwd=repo)
    assert title.returncode == 2 and "tên hồ sơ" in title.stderr and "U+007F" in title.stderr
    unit = run_eiso("new", "--kind", "management_review", "--unit", "Văn\x01 phòng", "Họp xem xét", cwd=repo)
    assert unit.returncode == 2 and "--unit" in unit.stderr and "U+0001" in unit.stderr
    assert _record_files(repo) == before


def test_a_record_file_that_does_not_load_still_owns_its_number(repo):
    folder = repo / "records" / str(_year()) / "danh-gia-noi-bo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"dgnb-{_year()}-05.md").write_text("", encoding="utf-8")  # empty, as an interrupted write left it
    first = run_eiso("new", "--kind", "audit", "Đánh giá nội bộ đợt 2", cwd=repo)
    second = run_eiso("new", "--kind", "audit", "Đánh giá nội bộ đợt 3", cwd=repo)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert f"DGNB-{_year()}-06" in first.stdout and f"DGNB-{_year()}-07" in second.stdout
    codes = {r.meta.code: r for r in load_records(repo).records}
    assert codes[f"DGNB-{_year()}-07"].meta.title == "Đánh giá nội bộ đợt 3"
    assert not [p for p in folder.iterdir() if p.name.endswith(".eiso-tmp")]
