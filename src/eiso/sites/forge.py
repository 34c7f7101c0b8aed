"""Links into the forge (GitLab or GitHub) where people propose changes to a document."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit


@dataclass(frozen=True)
class Action:
    label: str
    url: str


def forge_kind(repo_url: str) -> str:
    """The shape of the forge's links: GitHub's when the host says so, GitLab's otherwise (a guess: a wrong
    one only costs a link; what approvals trust is :func:`known_forge`)."""
    return known_forge(repo_url) or "gitlab"


def known_forge(repo_url: str | None, declared: str | None = None) -> str | None:
    """The forge whose records of approval may be trusted: the one ``declared`` in the configuration, else
    the one the host names ("gitlab" / "github"), else None. Never guessed: on an unknown forge (Gitea, GitHub
    Enterprise at an agency's own host), a GitLab-style message in a commit its author wrote would approve."""
    if declared:
        return declared
    host = urlsplit(repo_url or "").hostname or ""
    return "github" if "github" in host else "gitlab" if "gitlab" in host else None


def _web_base(repo_url: str | None) -> str | None:
    """The forge's web address, when one is configured and is a web address."""
    if not repo_url or not repo_url.startswith(("https://", "http://")):
        return None
    return repo_url.rstrip("/")


def change_actions(repo_url: str | None, branch: str, path: str, code: str, title: str) -> list[Action]:
    """"Sửa tài liệu này" and "Gửi góp ý" links for a document, when the forge is known."""
    base = _web_base(repo_url)
    if base is None:
        return []
    subject = f"[{code}] Góp ý: {title}"
    body = f"Tài liệu: {code} – {title}\nTệp: {path}\n\nNội dung góp ý / đề xuất sửa đổi:\n"
    if forge_kind(base) == "github":
        edit = f"{base}/edit/{quote(branch)}/{quote(path)}"
        issue = f"{base}/issues/new?" + urlencode({"title": subject, "body": body})
    else:
        edit = f"{base}/-/edit/{quote(branch)}/{quote(path)}"
        issue = f"{base}/-/issues/new?" + urlencode({"issue[title]": subject, "issue[description]": body})
    return [Action("Đề xuất sửa đổi (sửa tệp)", edit), Action("Gửi góp ý", issue)]


def merge_request_url(repo_url: str | None, ref: str) -> str | None:
    """Web URL of a merge request reference ("group/project!12" or "#12")."""
    base = _web_base(repo_url)
    if base is None:
        return None
    number = ref.rsplit("!", 1)[-1].lstrip("#")
    if not number.isdigit():
        return None
    if forge_kind(base) == "github":
        return f"{base}/pull/{number}"
    return f"{base}/-/merge_requests/{number}"
