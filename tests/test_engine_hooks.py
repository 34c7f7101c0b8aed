"""e-ISO's run-time adjustments of the engine keep what the engine itself would do."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import Files

from eiso.mkdocs.engine_hooks import skip_hidden_theme_folders


@pytest.mark.parametrize("custom", [False, True])
def test_the_theme_files_copied_are_the_engines_own_choice(tmp_path: Path, custom: bool) -> None:
    """Hidden folders are no longer listed (Material's ``.icons``: thousands of files), and the theme files the
    engine copies into the site are exactly those of its full listing."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Trang chủ\n", encoding="utf-8")
    theme = "theme:\n  name: material\n"
    if custom:  # an overrides folder with a hidden folder, a hidden file and an asset of its own
        overrides = tmp_path / "overrides"
        (overrides / ".hidden" / "deep").mkdir(parents=True)
        (overrides / ".hidden" / "deep" / "a.css").write_text("a{}", encoding="utf-8")
        (overrides / ".b.css").write_text("b{}", encoding="utf-8")
        (overrides / "assets").mkdir()
        (overrides / "assets" / "c.css").write_text("c{}", encoding="utf-8")
        theme += "  custom_dir: overrides\n"
    (tmp_path / "mkdocs.yml").write_text(f"site_name: T\n{theme}", encoding="utf-8")

    def theme_files(adjusted: bool) -> tuple[list[str], list[str]]:
        config = load_config(str(tmp_path / "mkdocs.yml"))
        if adjusted:
            skip_hidden_theme_folders(config.theme)
        env = config.theme.get_env()
        files = Files([])
        files.add_files_from_theme(env, config)
        return sorted(f.src_uri for f in files), env.list_templates()

    engine_files, engine_listing = theme_files(adjusted=False)
    ours, our_listing = theme_files(adjusted=True)
    assert ours == engine_files
    assert any(name.startswith(".icons/") for name in engine_listing)
    assert not any(part.startswith(".") for name in our_listing for part in name.split("/")[:-1])
    assert len(our_listing) < len(engine_listing) // 3
    if custom:
        assert "assets/c.css" in ours


def test_materials_search_plugin_is_left_with_nothing_to_do(tmp_path: Path) -> None:
    """Its handlers are replaced while the engine goes through them: the ones after still run, and Material
    neither reads its language templates nor writes its own index (e-ISO writes the index)."""
    from eiso.mkdocs.engine_hooks import skip_material_search

    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: T\ntheme:\n  name: material\n  language: vi\nplugins:\n"
                                         "  - search\n  - tags\n", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    search, seen = config.plugins["material/search"], []
    handlers = config.plugins.events["config"]
    handlers.insert(0, lambda config: (skip_material_search(config.plugins), seen.append("skipped"))[0])
    handlers.append(lambda config: seen.append("after"))
    config.plugins.on_config(config)
    assert seen == ["skipped", "after"]
    assert not search.config.lang and not hasattr(search, "search_index")  # its on_config did not run
    config.site_dir = str(tmp_path / "site")
    config.plugins.on_post_build(config=config)
    assert not (tmp_path / "site" / "search" / "search_index.json").exists()
    assert "material/search" in config.plugins  # the theme still shows its search box
