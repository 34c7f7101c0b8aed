"""Allow-list sanitising of HTML rendered from untrusted Markdown (procedure bodies)."""

from __future__ import annotations

import nh3

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "ol": {"start"},
    "details": {"open"},
}


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # The theme's own elements have ids starting with "__" (#__config, its settings, which the theme reads with
    # querySelector; #__search, #__drawer…): a body element coming before one would be found in its place.
    if attribute == "id" and value.startswith("__"):
        return None
    # The theme's tooltips insert a title as HTML: a title never holds a tag (value arrives decoded).
    if attribute == "title":
        return value.replace("<", "‹").replace(">", "›")
    # Images come from the repository only: an absolute or scheme URL could track readers.
    if tag == "img" and attribute == "src" and (":" in value.split("/", 1)[0] or value.startswith("//")):
        return None
    return value


def clean_html(html: str) -> str:
    """Remove every tag, attribute and URL scheme not on the allow-list."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        attribute_filter=_keep_attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def clean_text(html: str) -> str:
    """Markup reduced to escaped text (for places the theme prints as HTML)."""
    return nh3.clean(html, tags=set(), strip_comments=True)
