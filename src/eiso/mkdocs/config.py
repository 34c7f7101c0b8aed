from __future__ import annotations

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config


class EisoConfig(Config):
    procedures_dir = opt.Type(str, default="procedures")
    records_dir = opt.Type(str, default="records")  # QMS records: intranet only
    audience = opt.Choice(("internal", "public"), default="internal")
    edit_branch = opt.Type(str, default="main")
    # Public site only: where and when citizens hand in their dossier.
    office_address = opt.Type(str, default="")
    office_hours = opt.Type(str, default="")
    # Optional hardening of approvals (templates/README.md): who may approve which units, as a
    # list of {name, email, units}; and an SSH allowed-signers file that approving commits and
    # the approval notes must be signed with.
    approvers = opt.Optional(opt.Type(list))
    trusted_signers = opt.Optional(opt.Type(str))
    # The forge (gitlab / github) when repo_url's host does not name it (a GitLab at git.<agency>.gov.vn):
    # its approval records are trusted only when it is known.
    forge = opt.Optional(opt.Choice(("gitlab", "github")))
    # Framework model: path (inside the repository, usually a git submodule) of the framework repository.
    framework = opt.Optional(opt.Type(str))
    # The agency itself: {name, code, district, unit, prepared_by, reviewed_by, approver: {name, title}}
    # for `eiso adopt` scaffolds and api/qms.json.
    agency = opt.Type(dict, default={})
