"""What the public site contains, made only from the public projection."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno

from eiso.documents import durations
from eiso.sites.api_json import records_json
from eiso.sites import renderer
from eiso.sites.projection import PublicProcedure
from eiso.sites.sanitize import clean_html
from eiso.sites.intranet import PlannedPage, SitePlan, publish_forms
from eiso.documents.text import fold, slugify


@dataclass
class PublicOptions:
    site_url: str | None = None
    office_address: str = ""
    office_hours: str = ""


def plan_public(procedures: list[PublicProcedure], root: Path, options: PublicOptions) -> SitePlan:
    plan = SitePlan()
    for proc in procedures:
        plan.pages.append(procedure_page(proc, root, options, plan))
    plan.pages.append(list_page("linh-vuc/index.md", "Thủ tục theo lĩnh vực", procedures, lambda p: p.field or "Khác"))
    plan.pages.append(list_page("cap/index.md", "Thủ tục theo cấp thực hiện", procedures, lambda p: p.level))
    plan.files["api/tthc.json"] = tthc_json(procedures)
    plan.files["api/tthc.csv"] = tthc_csv(procedures)
    return plan


def shortest_time(proc: PublicProcedure) -> str:
    return durations.shortest_label(proc.channels) or "Không quy định"


def procedure_page(proc: PublicProcedure, root: Path, options: PublicOptions, plan: SitePlan) -> PlannedPage:
    form_links = publish_forms(plan, proc.url, {form.code: form.source for form in proc.forms})
    url = absolute_url(options.site_url, proc.url)
    values = dict(proc=proc, form_links=form_links, office=options, qr=QRCode(url),
                  jsonld=json_ld(proc, url))

    # The body's public sections were chosen and rendered by the projection; the page's own
    # Markdown is empty so that nothing else of the body can reach it.
    body = clean_html(proc.body_html) if proc.body_html else ""
    render = renderer.PageTemplate("public_procedure.html", body=body, **values)
    return PlannedPage(f"{proc.url}index.md", proc.title, "", render, document=proc)


def absolute_url(site_url: str | None, path: str) -> str:
    if not site_url or not site_url.startswith(("https://", "http://")):
        return ""
    return site_url.rstrip("/") + "/" + path


QR_MASK = 1


@dataclass(frozen=True)
class QRCode:
    """The QR code of a page's URL, drawn only when the page is rendered (not for a page a rebuild keeps)."""

    url: str

    def __bool__(self) -> bool:
        return bool(self.url)

    def __html__(self) -> str:
        return qr_svg(self.url) if self.url else ""


def qr_svg(url: str) -> str:
    """QR code of the page's own URL, made at build time (no external service)."""
    # A fixed mask pattern: choosing the "best" of the eight (segno's default) evaluated all eight per page
    # and was half of the public build's time at 2,000 procedures. Every mask gives a valid symbol that
    # readers decode (the mask is written in the symbol's format information); 1 is the one segno picks
    # most often for these URLs.
    qr = segno.make(url, error="m", micro=False, mask=QR_MASK)
    return _svg(qr.matrix, scale=3, border=2)


_DARK_RUN = re.compile(b"\x01+")


def _svg(matrix: tuple[bytearray, ...], scale: int, border: int) -> str:
    """The symbol as segno's ``svg_inline(scale, border, title="Mã QR", dark="#000", light="#fff")`` writes
    it, byte for byte (tests compare), in a third of its time (0.3 ms, not 1.0): a line per run of dark
    modules, each move relative to the end of the previous run."""
    side = len(matrix) + 2 * border
    moves = []
    last_x, last_y = 0, 0.0
    for row_number, row in enumerate(matrix):
        y = border + row_number + 0.5
        for run in _DARK_RUN.finditer(row):
            x1, x2 = border + run.start(), border + run.end()
            moves.append(f"{'m' if moves else 'M'}{x1 - last_x} {_number(y - last_y)}h{x2 - x1}")
            last_x, last_y = x2, y
    return (f'<svg width="{side * scale}" height="{side * scale}" class="segno"><title>Mã QR</title>'
            f'<g transform="scale({scale})"><path fill="#fff" d="M0 0h{side}v{side}h-{side}z"/>'
            f'<path class="qrline" stroke="#000" d="{"".join(moves)}"/></g></svg>')


def _number(value: float) -> int | float:
    return int(value) if int(value) == value else value


def json_ld(proc: PublicProcedure, url: str) -> str:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": proc.title,
        "identifier": proc.national_code,
        "serviceType": proc.field or "",
        "provider": {"@type": "GovernmentOrganization", "name": proc.agency},
        "audience": {"@type": "Audience", "audienceType": proc.applicants},
        "serviceOutput": proc.result,
    }
    if url:
        data["url"] = url
    # "<" escaped so that no text can close the script element.
    return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")


def list_page(src_uri: str, title: str, procedures: list[PublicProcedure], key) -> PlannedPage:
    groups: dict[str, list[PublicProcedure]] = {}
    for proc in procedures:
        groups.setdefault(key(proc), []).append(proc)
    ordered = [{"name": name, "anchor": slugify(name) or "khac", "rows": sorted(groups[name], key=lambda p: fold(p.title))}
               for name in sorted(groups, key=fold)]
    times = {p.slug: shortest_time(p) for p in procedures}
    page = renderer.PageTemplate("public_list.html", title=title, intro=f"{len(procedures)} thủ tục hành chính.",
                                 groups=ordered, times=times, base="../")
    return PlannedPage(src_uri, title, "", page, searchable=False)


def procedure_record(proc: PublicProcedure) -> dict[str, Any]:
    return {
        "code": proc.code,
        "national_code": proc.national_code,
        "title": proc.title,
        "level": proc.level,
        "field": proc.field,
        "agency": proc.agency,
        "applicants": proc.applicants,
        "result": proc.result,
        "conditions": proc.conditions,
        "decision": proc.decision,
        "online": {"level": proc.online.level.value, "url": proc.online.url} if proc.online else None,
        "channels": [{"channel": c.channel, "time": {"value": c.time.value, "unit": c.time.unit.value} if c.time else None,
                      "fee": c.fee} for c in proc.channels],
        "dossier": [{"name": d.name, "form": d.form, "originals": d.originals, "copies": d.copies} for d in proc.dossier],
        "legal_basis": [{"code": ref.code, "title": ref.title} for ref in proc.legal_basis],
        "citizen_steps": list(proc.citizen_steps),
        "effective": proc.effective.isoformat() if proc.effective else None,
        "updated": proc.updated.isoformat() if proc.updated else None,
        "url": proc.url,
    }


def tthc_json(procedures: list[PublicProcedure]) -> bytes:
    return records_json([procedure_record(p) for p in procedures])


CSV_COLUMNS = ["code", "national_code", "title", "level", "field", "agency", "applicants", "result",
               "time", "fee", "dossier", "legal_basis", "effective", "updated", "url"]


def tthc_csv(procedures: list[PublicProcedure]) -> bytes:
    """UTF-8 with BOM, so Excel opens the Vietnamese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for p in procedures:
        record = procedure_record(p)
        writer.writerow(safe_cell(cell) for cell in [
            *(record[key] or "" for key in CSV_COLUMNS[:8]),
            shortest_time(p),
            "; ".join(dict.fromkeys(c.fee for c in p.channels if c.fee)),
            "; ".join(f"{d.name} ({d.originals} bản chính, {d.copies} bản sao)" for d in p.dossier),
            "; ".join(" ".join(filter(None, [ref.code, ref.title])) for ref in p.legal_basis),
            record["effective"] or "", record["updated"] or "", record["url"],
        ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# Full-width forms too: some spreadsheet locales read "＝" as "=".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text, never evaluates (OWASP "CSV injection"):
    a cell starting (after spaces) with = + - @ tab or CR gets a leading apostrophe."""
    text = str(value)
    return "'" + text if text.lstrip(" ").startswith(_FORMULA_START) else text
