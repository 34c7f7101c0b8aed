"""Form files attached to a document: where they are, and whether they may be published.

A form is data handed to citizens and civil servants as a download, never a page: only
published document formats are accepted, the file must stay inside the procedures folder
(links resolved, never into ``.git``), and it is copied under a safe name. The check, the
intranet, the public projection and the review diff all use this one resolver.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from eiso.documents.text import shown

ALLOWED_FORMATS = ("docx", "doc", "xlsx", "xls", "odt", "ods", "pdf", "png", "jpg", "jpeg")
MAX_PATH_CHARS = 1024  # far above any real relative path; longer ones fail in the OS anyway
MAX_NAME_CHARS = 255  # one path component, as most file systems allow
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Attachment:
    """A form file resolved for publication: ``path`` when allowed, else ``problem`` (Vietnamese)."""

    path: Path | None
    problem: str | None = None


def locate(root: Path, document_path: str, relative: str, base: str | None = None) -> Attachment:
    """Resolve ``relative`` (written in the front matter of ``document_path``) under ``root``.

    ``base`` is the folder forms must stay in (default: the document's top folder, i.e. the
    procedures folder). Every failure, including OS errors, comes back as a problem.
    """
    problem = _spelling_problem(relative)
    if problem:
        return Attachment(None, problem)
    folder = PurePosixPath(document_path).parent
    top = base.strip("/") if base else (PurePosixPath(document_path).parts or ("",))[0]
    try:
        root = root.resolve()
        allowed = (root / top).resolve()
        target = (root / folder / relative).resolve()
    except (OSError, RuntimeError, ValueError) as error:  # loops raise RuntimeError before 3.13
        return Attachment(None, f"không xác định được tệp biểu mẫu «{shown(relative)}»: {_reason(error)}")
    if not _inside(target, root) or not _inside(target, allowed):
        return Attachment(None, f"tệp biểu mẫu «{shown(relative)}» nằm ngoài thư mục tài liệu «{top}/» (ngoài kho)")
    if any(part.lower() == ".git" for part in target.relative_to(root).parts):
        return Attachment(None, f"tệp biểu mẫu «{shown(relative)}» nằm trong thư mục .git")
    for name in (relative, target.name):  # as written, and what a link points at
        if _extension(name) not in ALLOWED_FORMATS:
            return Attachment(None, _format_problem(relative, name))
    try:
        exists = target.is_file()
    except (OSError, ValueError) as error:
        return Attachment(None, f"không đọc được tệp biểu mẫu «{shown(relative)}»: {_reason(error)}")
    if not exists:
        return Attachment(None, f"không tìm thấy tệp biểu mẫu «{shown(relative)}»")
    return Attachment(target)


def _spelling_problem(relative: str) -> str | None:
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in relative):
        return f"đường dẫn tệp biểu mẫu «{shown(relative)}» chứa ký tự điều khiển hoặc ký tự ẩn"
    if len(relative) > MAX_PATH_CHARS or any(len(part) > MAX_NAME_CHARS for part in relative.split("/")):
        return f"đường dẫn tệp biểu mẫu quá dài ({len(relative)} ký tự, tối đa {MAX_PATH_CHARS}, mỗi phần {MAX_NAME_CHARS})"
    if not relative.strip() or "\\" in relative or PurePosixPath(relative).is_absolute() or ":" in relative.split("/")[0]:
        return (f"tệp biểu mẫu «{shown(relative)}» không phải đường dẫn tương đối trong kho (có thể trỏ ra ngoài kho); "
                "hãy ghi đường dẫn tính từ tệp .md, dùng dấu /")
    return None


def _format_problem(relative: str, name: str) -> str:
    ext = _extension(name)
    what = f"định dạng «.{ext}»" if ext else "tệp không có phần mở rộng"
    return (f"tệp biểu mẫu «{shown(relative)}»: {what} không được phép công bố; "
            f"chỉ chấp nhận: {', '.join(ALLOWED_FORMATS)}")


def _extension(name: str) -> str:
    tail = name.rsplit("/", 1)[-1]
    return tail.rsplit(".", 1)[1].lower() if "." in tail.strip(".") else ""


def download_name(path: Path, taken: set[str]) -> str:
    """A file name safe in a URL and a Content-Disposition header: ASCII, no spaces, unique in ``taken``."""
    stem = path.name.rsplit(".", 1)[0]
    folded = unicodedata.normalize("NFD", stem.replace("đ", "d").replace("Đ", "D"))
    ascii_stem = "".join(ch for ch in folded if not unicodedata.combining(ch))
    safe = _UNSAFE_NAME.sub("-", ascii_stem).strip("-.")[:100] or "bieu-mau"
    ext = _extension(path.name)
    name, number = f"{safe}.{ext}", 1
    while name in taken:
        number += 1
        name = f"{safe}-{number}.{ext}"
    taken.add(name)
    return name


def _reason(error: BaseException) -> str:
    if isinstance(error, RuntimeError) or getattr(error, "errno", None) == 40:
        return "vòng lặp liên kết tượng trưng (symlink)"
    if getattr(error, "errno", None) == 36:
        return "tên tệp quá dài"
    return getattr(error, "strerror", None) or type(error).__name__


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False
