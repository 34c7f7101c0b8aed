"""HTML of the generated parts of pages, from trusted templates and untrusted data.

Templates ship with the package; data from procedure files is only ever passed
to them as values, with autoescaping, so content can never become template code.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable

from jinja2 import Environment, StrictUndefined, select_autoescape
from markupsafe import Markup

from eiso.documents import durations
from eiso.documents import model
from eiso.documents.text import slugify
from eiso.records import model as record_model
from eiso.sites.renderer.identity import Identities
from eiso.sites.template_cache import template_cache


@lru_cache(maxsize=1)
def environment() -> Environment:
    # A plain environment: its templates are ours, and content only ever arrives as
    # autoescaped values, never as template source (the sandbox cost a third of rendering).
    env = Environment(
        loader=_loader(),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=template_cache(),
    )
    env.filters.update(
        duration=durations.format_duration,
        number=durations.format_number,
        vndate=format_date,
        kind_label=lambda kind: model.KIND_LABELS[kind],
        status_label=lambda status: model.STATUS_LABELS[status],
        online_label=lambda level: model.ONLINE_LABELS[level],
        css_string=css_string,
        mr_number=mr_number,
        key_label=key_label,
        slug=slugify,
        grade_label=lambda grade: record_model.GRADE_LABELS[grade],
        same_terms=same_terms,
    )
    return env


def _loader() -> Any:
    from jinja2 import PackageLoader

    return PackageLoader("eiso.sites.renderer", "templates")


def key_label(key: str) -> str:
    """Vietnamese name of a front-matter key, as the change report names it."""
    from eiso.control.diff import label_of  # the report's labels: one vocabulary for both

    return label_of((key,))


def render(template: str, **values: Any) -> str:
    return environment().get_template(template).render(**values)


class PageTemplate:
    """A page's template and values, waiting for the body: ``page(body_html)`` renders it.

    ``identity`` is everything besides the body that decides the output, so that an incremental build
    can tell an unchanged page without rendering it.
    """

    __slots__ = ("template", "values", "shows_bodies")

    def __init__(self, template: str, *, shows_bodies: bool = True, **values: Any):
        """``shows_bodies=False``: the template never reads a document's body (a list of documents), so an
        edit of a body leaves the page as it was."""
        self.template = template
        self.values = values
        self.shows_bodies = shows_bodies

    def __call__(self, body_html: str) -> str:
        # A body given beforehand (the public projection's) is kept, whatever the engine rendered.
        return render(self.template, **({"body": body_html} | self.values))

    def identity(self, identities: Identities) -> str:
        return identities.of((self.template, self.values), bodies=self.shows_bodies)


class Fragment:
    """A part of a page rendered only with the page: ``{{ fragment }}`` in a template inserts it."""

    __slots__ = ("template", "values")

    def __init__(self, template: str, **values: Any):
        self.template = template
        self.values = values

    def __html__(self) -> str:
        return render(self.template, **self.values)


def mr_number(ref: Any) -> str:
    """How people say a merge request: its number (``group/project!12`` -> ``!12``, ``#12`` stays)."""
    text = str(ref or "")
    if "!" in text:
        return "!" + text.rsplit("!", 1)[1]
    return text


def same_terms(channels: Iterable[Any]) -> list[tuple[str, Any, str]]:
    """Ways of applying with the same time limit and fee, as one row naming them all ("Trực tiếp, Dịch vụ
    bưu chính"): national procedures mostly repeat one time and fee for every way, and the citizen's
    checklist must fit one printed page."""
    rows: dict[tuple[str, str], list] = {}
    for channel in channels:
        time = channel.time.model_dump_json() if channel.time is not None else ""
        names, _, _ = rows.setdefault((time, channel.fee), ([], channel.time, channel.fee))
        if channel.channel not in names:
            names.append(channel.channel)
    return [(", ".join(names), time, fee) for names, time, fee in rows.values()]


def css_string(value: Any) -> Markup:
    """A CSS string literal of untrusted text, safe inside a <style> element.

    Everything but letters and digits is written as a six-digit CSS hex escape, so no
    quote, backslash, "<" (``</style>``) or line break ever appears as itself (spaces
    too: a space after an escape would be read as the escape's terminator).
    """
    out = []
    for char in " ".join(str(value).split()):
        out.append(char if char.isalnum() else f"\\{ord(char):06x}")
    return Markup('"' + "".join(out) + '"')


def format_date(value: Any) -> str:
    """``2025-03-01`` -> ``01/03/2025``, the way Vietnamese documents write dates."""
    if value is None or value == "":
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    year, month, day = text[:10].split("-")
    return f"{day}/{month}/{year}"


_SECTION = re.compile(r'<h2 id="([a-z0-9-]+)">([^<]*)</h2>')


def section_headings(html: str) -> list[tuple[str, str]]:
    """``(id, title as HTML)`` of the generated sections of a page part, in order.

    Only for the HTML of our own templates (the body is never passed here): their
    section headings are written exactly this way.
    """
    return _SECTION.findall(html)


PREVIEW_LABELS = {"added": "thêm mới", "changed": "sửa đổi", "removed": "xóa"}


def preview_notice(changes: list[Any], base: str) -> str:
    """The box a preview build puts on its home page: the documents the merge request changes."""
    return render("preview_list.html", changes=changes, base=base, labels=PREVIEW_LABELS)
