"""Run mkdocs-macros in Jinja's sandbox: hand-written pages keep their macros, but a
template can no longer reach Python internals (``cycler.__init__.__globals__``)."""

from __future__ import annotations

from typing import Any

from jinja2.sandbox import SandboxedEnvironment

_SETTINGS = (
    "block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
    "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
    "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "undefined", "loader",
    "autoescape", "finalize", "optimized", "cache_size", "auto_reload",
)


def sandbox_macros(plugins: Any) -> bool:
    """Replace the macros plugin's Jinja environment by a sandboxed copy; True if one was found."""
    macros = plugins.get("macros") if hasattr(plugins, "get") else None
    env = getattr(macros, "_env", None)
    if env is None or isinstance(env, SandboxedEnvironment):
        return env is not None
    settings = {name: getattr(env, name) for name in _SETTINGS if hasattr(env, name)}
    settings["extensions"] = list(env.extensions.values()) and [type(e) for e in env.extensions.values()]
    sandboxed = SandboxedEnvironment(**settings)
    sandboxed.globals.update(env.globals)
    sandboxed.filters.update(env.filters)
    sandboxed.tests.update(env.tests)
    macros._env = sandboxed
    return True
