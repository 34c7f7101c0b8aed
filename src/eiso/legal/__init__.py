"""Legal documents: the register (``legal.yml``), citations, and what a change of the law affects."""
