"""Create the demo agency's own git repository from this repository's demo content.

    python scripts/make_demo.py [TARGET]        (default: .demo/, git-ignored)

The demo site must show an approval trail as an agency has one: GitLab merge requests with
the documented merge commit template, revisions 1 → 2 → 3 with Vietnamese titles, a withdrawn
document, an upcoming revision (QT-HTICH-01, lần 4, effective 2027-06-01: "upcoming" until
then) and one change pushed to main without approval. None of this project's own commits is
in it. Dates, names and the committer are fixed, so every run gives the same commit hashes;
a run whose content has not changed since the last one does nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ["procedures", "docs", "docs-public", "overrides", "records", "mkdocs.yml", "mkdocs.public.yml", "legal.yml"]
PROJECT = "ubnd-xa-hoa-binh/e-iso"  # the GitLab project of mkdocs.yml's repo_url
DOMAIN = "hoabinh.example.vn"
ZONE = dt.timezone(dt.timedelta(hours=7))
START = dt.datetime(2025, 1, 6, 8, 30, tzinfo=ZONE)  # the portal's first commit
DAYS_BETWEEN_REVISIONS = 150
MERGE_BEFORE_EFFECTIVE = dt.timedelta(days=7)
CHAIRMAN = "Nguyễn Văn Thắng"  # Chủ tịch UBND xã, the approver the documents name
SECRETARY = "Vũ Thị Lan Anh"  # Thư ký ISO: prepares system documents, reviews the others
UNAPPROVED = ("procedures/he-thong/qt-ht-06-quan-ly-rui-ro-va-co-hoi.md", "Sửa lỗi chính tả mục Phạm vi áp dụng",
              ("rủi ro và cơ hội", "rũi ro và cơ hội"))
DRAFT_MR_DAY = dt.datetime(2026, 9, 14, 10, 0, tzinfo=ZONE)

# Titles of the merge requests that made a revision; the others get a generic title.
TITLES = {
    ("QT-HTICH-01", 2): "Đăng ký khai sinh: cập nhật căn cứ theo Nghị định 07/2025/NĐ-CP",
    ("QT-HTICH-01", 3): "Đăng ký khai sinh: điều chỉnh thời gian thẩm định và trình ký",
    ("QT-HTICH-01", 4): "Đăng ký khai sinh: áp dụng Nghị định 18/2026/NĐ-CP từ ngày 01/06/2027",
    ("QT-HT-01", 2): "Kiểm soát tài liệu: chuyển sang quản lý tài liệu trên Cổng e-ISO",
    ("QT-HT-01", 3): "Kiểm soát tài liệu: phê duyệt bằng yêu cầu hợp nhất, bỏ bảng theo dõi viết tay",
    ("MTCL-2026", 2): "Mục tiêu chất lượng: bổ sung chỉ tiêu hồ sơ trực tuyến",
    ("MTCL-2026", 3): "Mục tiêu chất lượng năm 2026",
    ("QT-CT-04", 2): "Chứng thực hợp đồng, giao dịch: cập nhật thành phần hồ sơ",
    ("QT-CT-04", 3): "Chứng thực hợp đồng, giao dịch: áp dụng chứng thực điện tử",
    ("QT-HTICH-07", 2): "Xác nhận tình trạng hôn nhân: khai thác dữ liệu dân cư",
    ("QT-HTICH-07", 3): "Xác nhận tình trạng hôn nhân: rút ngắn thời hạn giải quyết",
    ("QT-NB-01", 2): "Hủy bỏ quy trình xử lý văn bản đến bằng giấy (chuyển sang phần mềm quản lý văn bản)",
}
# Effective dates of earlier revisions where the spacing rule would not give the real ones.
EFFECTIVE = {("QT-HTICH-01", 3): dt.date(2026, 3, 16), ("QT-HTICH-01", 2): dt.date(2025, 9, 15),
             ("QT-HTICH-01", 1): dt.date(2025, 3, 3)}
LAST_MERGE = dt.datetime(2026, 11, 16, 15, 0, tzinfo=ZONE)  # the upcoming revision was approved before the build date
# Earlier states differ from the final one: (code, below revision, text now, text then).
EARLIER = [
    ("QT-HTICH-01", 4, "  - {code: 18/2026/NĐ-CP,", None),  # None: the line did not exist yet
    ("QT-HTICH-01", 3, "time: {value: 4, unit: hours}, output: Dự thảo", "time: {value: 5, unit: hours}, output: Dự thảo"),
    ("QT-HTICH-01", 3, "time: {value: 2, unit: hours}, output: Giấy khai sinh đã ký",
     "time: {value: 1, unit: hours}, output: Giấy khai sinh đã ký"),
    ("QT-NB-01", 2, "status: withdrawn", "status: effective"),
]
FOLDER_TITLES = {
    "he-thong": "Ban hành chính sách, mục tiêu và các quy trình hệ thống (lần đầu)",
    "noi-bo": "Ban hành quy trình nội bộ (lần đầu)",
}


@dataclass
class Event:
    when: dt.datetime
    title: str
    files: dict[str, bytes]  # repository path -> content
    author: str
    approvers: list[str] = field(default_factory=list)
    reviewer: str | None = None
    merge: bool = True


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else ROOT / ".demo"
    files = content_files()
    stamp = fingerprint(files)
    stamp_file = target / ".git" / "eiso-demo-stamp"
    if stamp_file.is_file() and stamp_file.read_text() == stamp:
        print(f"Kho mẫu {target} đã cập nhật.")
        return 0
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    git = Git(target)
    git.run("init", "-q", "-b", "main")
    build_history(git, files)
    stamp_file.write_text(stamp)
    print(f"Đã tạo kho mẫu {target} ({git.output('rev-list', '--count', 'HEAD').strip()} commit, "
          f"HEAD {git.output('rev-parse', '--short', 'HEAD').strip()}).")
    return 0


def content_files() -> dict[str, bytes]:
    found = {}
    for name in CONTENT:
        path = ROOT / name
        paths = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path] if path.is_file() else []
        for item in paths:
            if "__pycache__" not in item.parts:
                found[item.relative_to(ROOT).as_posix()] = item.read_bytes()
    # .eiso-cache/ holds signed, per-user caches: never committed (`git add -A` in the demo).
    found[".gitignore"] = b"site/\nsite-public/\n.eiso-cache/\n"
    return found


def fingerprint(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


# ---------------------------------------------------------------- the story


@dataclass
class Doc:
    path: str
    text: str
    code: str
    title: str
    revision: int
    effective: dt.date | None
    author: str
    approver: str

    @property
    def folder(self) -> str:
        """The folder the document sits in (``ho-tich`` for procedures/tthc/ho-tich/…): one first MR each."""
        parts = self.path.split("/")
        return parts[-2] if len(parts) > 2 else ""


def front(text: str, key: str) -> str | None:
    """A top-level scalar of our own demo files' front matter (trusted content, written by us)."""
    head = text.split("\n---", 1)[0]
    match = re.search(rf"(?m)^{key}:[ \t]*(.+?)[ \t]*$", head)
    return match.group(1).strip().strip('"') if match else None


def person(text: str, key: str) -> str:
    match = re.search(rf"(?m)^{key}:\s*\{{name:\s*([^,}}]+)", text.split("\n---", 1)[0])
    return match.group(1).strip() if match else SECRETARY


def documents(files: dict[str, bytes]) -> list[Doc]:
    docs = []
    for path, raw in sorted(files.items()):
        if path.startswith("procedures/") and path.endswith(".md"):
            text = raw.decode("utf-8")
            effective = front(text, "effective")
            docs.append(Doc(path, text, front(text, "code") or path, front(text, "title") or path,
                            int(front(text, "revision") or 1), dt.date.fromisoformat(effective) if effective else None,
                            person(text, "prepared_by"), person(text, "approved_by")))
    return docs


def state(doc: Doc, revision: int, effective: dt.date) -> bytes:
    """The document as it was at ``revision``: the final text with that revision's values and wording."""
    text = doc.text
    if revision < doc.revision:
        text = re.sub(r"(?m)^revision:.*$", f"revision: {revision}", text, count=1)
        text = re.sub(r"(?m)^effective:.*$", f"effective: {effective.isoformat()}", text, count=1)
    for code, below, now, then in EARLIER:
        if code == doc.code and revision < below:
            assert now in text, (code, now)
            if then is None:
                start = text.index(now)
                text = text[:start] + text[text.index("\n", start) + 1:]
            else:
                text = text.replace(now, then)
    return text.encode("utf-8")


def revision_dates(doc: Doc) -> dict[int, dt.date]:
    final = doc.effective or dt.date(2026, 9, 21)
    dates = {}
    for revision in range(1, doc.revision + 1):
        day = final - dt.timedelta(days=DAYS_BETWEEN_REVISIONS * (doc.revision - revision))
        dates[revision] = EFFECTIVE.get((doc.code, revision), max(day, START.date() + dt.timedelta(days=28 + 7 * revision)))
    return dates


def merge_day(effective: dt.date) -> dt.datetime:
    day = dt.datetime.combine(effective - MERGE_BEFORE_EFFECTIVE, dt.time(15, 0), ZONE)
    return min(max(day, START + dt.timedelta(days=14)), LAST_MERGE)


def plan(files: dict[str, bytes]) -> list[Event]:
    docs = documents(files)
    infrastructure = {p: c for p, c in files.items() if not p.startswith("procedures/") or not p.endswith(".md")}
    events = [Event(START, "Khởi tạo cổng e-ISO của UBND xã Hòa Bình", infrastructure, SECRETARY, merge=False)]
    first: dict[str, Event] = {}
    for doc in docs:
        dates = revision_dates(doc)
        if doc.effective is None:  # a draft: proposed for comments near the end of the story
            events.append(Event(DRAFT_MR_DAY, f"Dự thảo: {doc.title} (lấy ý kiến)", {doc.path: doc.text.encode()},
                                doc.author, [CHAIRMAN], SECRETARY))
            continue
        group = first.get(doc.folder)
        if group is None:
            title = FOLDER_TITLES.get(doc.folder, f"Ban hành các quy trình giải quyết thủ tục hành chính lĩnh vực "
                                                  f"{front(doc.text, 'field') or doc.folder} (lần đầu)")
            group = first[doc.folder] = Event(merge_day(dates[1]), title, {}, doc.author, [], SECRETARY)
            events.append(group)
        group.files[doc.path] = state(doc, 1, dates[1])
        group.when = min(group.when, merge_day(dates[1]))
        if doc.approver not in group.approvers:
            group.approvers.append(doc.approver)
        for revision in range(2, doc.revision + 1):
            title = TITLES.get((doc.code, revision), f"{doc.title}: sửa đổi, ban hành lần {revision}")
            events.append(Event(merge_day(dates[revision]), title, {doc.path: state(doc, revision, dates[revision])},
                                doc.author, [doc.approver], SECRETARY if doc.author != SECRETARY else None))
    path, title, (now, then) = UNAPPROVED
    doc = next(d for d in docs if d.path == path)
    for event in events:  # the approved state had a typo, fixed later by a direct push
        if path in event.files and front(event.files[path].decode(), "revision") == str(doc.revision):
            event.files[path] = event.files[path].decode().replace(now, then, 1).encode()
            events.append(Event(event.when + dt.timedelta(days=20), title, {path: doc.text.encode()}, doc.author,
                                merge=False))
            break
    events.sort(key=lambda e: e.when)
    return events


def build_history(git: "Git", files: dict[str, bytes]) -> None:
    clock = START - dt.timedelta(hours=1)
    number = 0
    for event in plan(files):
        clock = max(clock + dt.timedelta(minutes=30), event.when)
        if not event.merge:
            write(git.root, event.files)
            git.commit(event.title, event.author, clock)
            continue
        number += 1
        branch = f"{number}-{slug(event.title)[:40].rstrip('-')}"
        git.run("checkout", "-q", "-b", branch)
        write(git.root, event.files)
        git.commit(event.title, event.author, clock - dt.timedelta(days=2))
        git.run("checkout", "-q", "main")
        git.merge(branch, merge_message(branch, event, number), clock)
        git.run("branch", "-q", "-D", branch)
    leftover = subprocess.run(["git", "status", "--porcelain"], cwd=git.root, capture_output=True, text=True).stdout
    assert not leftover.strip(), leftover


def merge_message(branch: str, event: Event, number: int) -> str:
    # README: the GitLab merge commit template, with %{approved_by} and %{reviewed_by} expanded.
    trailers = [f"Approved-by: {name} <{email(name)}>" for name in event.approvers]
    if event.reviewer:
        trailers.append(f"Reviewed-by: {event.reviewer} <{email(event.reviewer)}>")
    return (f"Merge branch '{branch}' into 'main'\n\n{event.title}\n\n"
            f"See merge request {PROJECT}!{number}\n\n" + "\n".join(trailers) + "\n")


def write(root: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def slug(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def email(name: str) -> str:
    return f"{slug(name).split('-')[-1]}.{slug(name).split('-')[0]}@{DOMAIN}"


class Git:
    def __init__(self, root: Path) -> None:
        self.root = root
        # Nothing from the machine's git configuration may change the commits.
        self.base = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C.UTF-8",
                         TZ="UTC")

    def env(self, author: str, when: dt.datetime, committer: str) -> dict[str, str]:
        stamp = f"{int(when.timestamp())} +0700"
        return dict(self.base, GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL=email(author), GIT_AUTHOR_DATE=stamp,
                    GIT_COMMITTER_NAME=committer, GIT_COMMITTER_EMAIL=email(committer), GIT_COMMITTER_DATE=stamp)

    def run(self, *args: str, env: dict[str, str] | None = None) -> None:
        subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=self.root, env=env or self.base, check=True,
                       capture_output=True)

    def output(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.root, env=self.base, check=True, capture_output=True,
                              text=True).stdout

    def commit(self, message: str, author: str, when: dt.datetime) -> None:
        self.run("add", "-A")
        self.run("commit", "-q", "--allow-empty", "-m", message, env=self.env(author, when, author))

    def merge(self, branch: str, message: str, when: dt.datetime) -> None:
        # The ISO secretary merges (a maintainer); the chairman's approval is the trailer.
        self.run("merge", "-q", "--no-ff", branch, "-m", message, env=self.env(SECRETARY, when, SECRETARY))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
