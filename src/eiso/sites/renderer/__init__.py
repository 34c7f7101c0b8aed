"""HTML of the generated parts of pages, from trusted templates and untrusted data.

Templates ship with the package; data from procedure files is only ever passed
to them as values, with autoescaping, so content can never become template code.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, StrictUndefined, select_autoescape

from eiso.documents import durations
from eiso.documents import model
from eiso.documents.text import slugify
from eiso.records import model as record_model


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
    )
    env.filters.update(
        duration=durations.format_duration,
        number=durations.format_number,
        vndate=format_date,
        kind_label=lambda kind: model.KIND_LABELS[kind],
        status_label=lambda status: model.STATUS_LABELS[status],
        online_label=lambda level: model.ONLINE_LABELS[level],
        key_label=key_label,
        slug=slugify,
        grade_label=lambda grade: record_model.GRADE_LABELS[grade],
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


def format_date(value: Any) -> str:
    """``2025-03-01`` -> ``01/03/2025``, the way Vietnamese documents write dates."""
    if value is None or value == "":
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    year, month, day = text[:10].split("-")
    return f"{day}/{month}/{year}"


PREVIEW_LABELS = {"added": "thêm mới", "changed": "sửa đổi", "removed": "xóa"}


def preview_notice(changes: list[Any], base: str) -> str:
    """The box a preview build puts on its home page: the documents the merge request changes."""
    return render("preview_list.html", changes=changes, base=base, labels=PREVIEW_LABELS)
