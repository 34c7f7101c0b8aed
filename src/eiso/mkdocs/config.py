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
