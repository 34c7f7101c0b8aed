"""``eiso import tthc``: draft TTHC procedures from the national database of administrative procedures.

Input is JSON Lines in the shape of ``tthc-national.jsonl`` (see the corpus README): one procedure a line,
parsed best-effort from flattened tables. The data is untrusted and messy, so every value is cleaned,
every defect that could not be repaired is reported per record (in Vietnamese, with the national code),
and a bad record or line never stops the import.

What is written, for each record, is ``OUT/<field-slug>/<code-slug>.md``: a *draft* (``status: draft``)
controlled document of kind ``tthc`` that passes ``eiso check`` with no finding. Each file is parsed back
with the real loader and checked before it is written; a record whose file would not be clean is reported
and skipped. The step table is drafted from the processing time and the body says so.

Re-running an import is safe. ``OUT/.eiso-import.json`` records the SHA-256 of every file the importer
wrote; a file whose content no longer has that hash was edited by someone and is left alone unless
``--force`` is given. An identical second import changes no byte, manifest included. The manifest also
keeps the national facts imported (``importers/manifest.py``), the baseline of ``eiso sync tthc``.

Modules: ``run`` (reading, selecting, writing, manifest), ``document`` (one record -> one document),
``clean`` (values), ``legal`` (legal basis), ``steps`` (drafted step table, citizen steps), ``body``
(Markdown body from untrusted text).
"""

from eiso.documents.text import slugify
from eiso.importers.tthc.body import DRAFT_NOTE, escape_inline, escape_line, markdown_blocks
from eiso.importers.tthc.document import Draft, build_document, document_code, render_document
from eiso.importers.tthc.legal import find_codes, normalize_code, spelled_code, split_legal_table
from eiso.importers.tthc.run import MANIFEST_NAME, ImportReport, import_records, read_jsonl, run_import
from eiso.importers.tthc.steps import citizen_steps

__all__ = ["DRAFT_NOTE", "MANIFEST_NAME", "Draft", "ImportReport", "build_document", "citizen_steps", "document_code",
           "escape_inline", "escape_line", "find_codes", "import_records", "markdown_blocks", "normalize_code",
           "read_jsonl", "render_document", "run_import", "slugify", "spelled_code", "split_legal_table"]
