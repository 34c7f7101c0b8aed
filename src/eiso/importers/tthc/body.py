"""The document body: Markdown from untrusted text, with no HTML, no template syntax and no links."""

from __future__ import annotations

import re

from eiso.importers.tthc.clean import clean_value
from eiso.importers.tthc.steps import citizen_steps


DRAFT_NOTE = (
    "> Bảng các bước xử lý là bản nháp do công cụ nhập tự động tạo; "
    "cần hoàn thiện trước khi trình phê duyệt."
)

_INLINE_ESCAPES = str.maketrans({**{c: "\\" + c for c in "\\`*_[]"},
                                  "<": "&lt;", "&": "&amp;", "{": "&#123;", "}": "&#125;"})
_LINE_START_ESCAPE = {"#": "\\#", ">": "\\>", "+": "\\+", "-": "\\-", "!": "\\!", "=": "&#61;", "~": "&#126;",
                      ":": "&#58;", "|": "&#124;", ".": "\\."}


def escape_inline(text: str) -> str:
    """Text that Markdown shows as written: no HTML, links, emphasis, attribute lists or template tags."""
    return text.translate(_INLINE_ESCAPES).replace("\\](", "\\]\\(")


def escape_line(text: str) -> str:
    """A whole line of text: also nothing at its start that opens a block (heading, list, quote…)."""
    text = escape_inline(text.strip())
    if not text:
        return text
    numbered = re.match(r"^(\d{1,9})([.)])(\s|$)", text)
    if numbered:
        return numbered.group(1) + "\\" + numbered.group(2) + text[numbered.end(2):] \
            if numbered.group(2) == "." else text
    first = text[0]
    return _LINE_START_ESCAPE.get(first, first) + text[1:]


_BULLET = re.compile(r"^(?:[-+*•·–—]+)\s*(?=\S)")
_STEP_LINE = re.compile(r"^(Bước\s*\d+)\s*[:.)\-–]?\s*(.*)$", re.IGNORECASE)


def markdown_blocks(text: str) -> str:
    """Free text as Markdown paragraphs and lists; "Bước N:" in bold."""
    # Only from the start of a run of blanks: from inside it, each position would rescan the run.
    text = re.sub(r"(?<![ \t])[ \t]+(?=(?:[+\-]\s*)?Bước\s*\d+\s*[:.])", "\n", text)
    blocks: list[str] = []
    bullets: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            if bullets:
                blocks.append("\n".join(bullets))
                bullets = []
            continue
        bullet = _BULLET.match(line)
        if bullet:
            item = line[bullet.end():]
            step = _STEP_LINE.match(item)
            bullets.append("- " + (f"**{escape_inline(step.group(1))}:** {escape_inline(step.group(2))}".rstrip()
                                   if step else escape_line(item)))
            continue
        if bullets:
            blocks.append("\n".join(bullets))
            bullets = []
        step = _STEP_LINE.match(line)
        if step:
            blocks.append(f"**{escape_inline(step.group(1))}:** {escape_inline(step.group(2))}".rstrip())
        else:
            blocks.append(escape_line(line))
    if bullets:
        blocks.append("\n".join(bullets))
    return "\n\n".join(blocks)


def render_body(record: dict, meta: dict, legal_leftover: str, dossier_notes: list[str], dossier_text: str) -> str:
    tthc = meta["tthc"]
    national = tthc["national_code"]
    applicants = tthc.get("applicants") or "tổ chức, cá nhân"
    sections: list[tuple[str, list[str]]] = [
        ("Mục đích", [escape_line(
            f"Quy định trình tự, trách nhiệm và thời hạn giải quyết thủ tục hành chính «{meta['title']}» "
            f"(mã thủ tục {national} trên Cơ sở dữ liệu quốc gia về thủ tục hành chính), bảo đảm "
            "giải quyết đúng quy định, công khai, minh bạch.")]),
        ("Phạm vi áp dụng", [escape_line(
            f"Áp dụng đối với {applicants} có yêu cầu giải quyết thủ tục; cơ quan thực hiện: "
            f"{tthc['agency']}; cấp thực hiện: {tthc['level']}.")]),
    ]
    # Facts once: the legal basis the front matter holds is shown by the page; the body keeps only
    # what could not be read into it.
    if legal_leftover:
        sections.append(("Văn bản gốc chưa tách được vào căn cứ pháp lý (cần hoàn thiện)",
                         [markdown_blocks(legal_leftover)]))
    elif not meta.get("legal_basis"):
        sections.append(("Căn cứ pháp lý", ["Chưa có thông tin; cần bổ sung."]))
    steps_text = clean_value(record.get("steps_text"), multiline=True)
    # Facts once: the steps read into tthc.citizen_steps are shown by the page. The original text stays
    # in the body only when they are not all of it (steps shortened or cut), for the editor to check.
    citizen = tthc.get("citizen_steps") or []
    if not citizen:
        sections.append(("Trình tự thực hiện", [markdown_blocks(steps_text) if steps_text
                                                else "Chưa có thông tin; cần bổ sung."]))
    elif any(step.endswith("…") for step in citizen) or len(citizen_steps(steps_text)) > len(citizen):
        sections.append(("Văn bản gốc, đã rút gọn vào trình tự thực hiện (cần đối chiếu)",
                         [markdown_blocks(steps_text)]))
    sections.append(("Yêu cầu, điều kiện", ["Theo mục «Yêu cầu, điều kiện» của thông tin thủ tục hành chính."
                                           if tthc.get("conditions") else "Không có yêu cầu, điều kiện."]))
    if dossier_notes or dossier_text:
        notes = []
        if dossier_text:
            notes += ["Văn bản gốc chưa tách được thành danh sách giấy tờ (cần hoàn thiện):", markdown_blocks(dossier_text)]
        if dossier_notes:
            notes.append("\n".join("- " + escape_line(note) for note in dossier_notes))
        sections.append(("Lưu ý về thành phần hồ sơ", notes))
    parts = [DRAFT_NOTE]
    for number, (title, content) in enumerate(sections, start=1):
        parts += [f"## {number}. {title}", *content]
    return "\n\n".join(part for part in parts if part) + "\n"
