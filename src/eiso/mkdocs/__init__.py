"""The MkDocs adapter: a thin layer that turns the core's site plan into MkDocs pages."""
