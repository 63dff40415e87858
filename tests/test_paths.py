"""Where data and caches go: environment variables first, then the platform's folders (platformdirs)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from muspy_like import paths
from muspy_like.datasets import default_root


def test_environment_variables_win(tmp_path, monkeypatch):
    monkeypatch.setenv("MUSPY_LIKE_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("MUSPY_LIKE_CACHE", str(tmp_path / "cache"))
    assert paths.data_home() == tmp_path / "data"
    assert default_root("maestro_v3") == tmp_path / "data" / "maestro_v3"
    assert paths.cache_home() == tmp_path / "cache"


def test_platform_folders_by_default_and_the_folder_of_earlier_versions(tmp_path, monkeypatch):
    monkeypatch.delenv("MUSPY_LIKE_DATA", raising=False)
    monkeypatch.delenv("MUSPY_LIKE_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    assert paths.data_home() == platformdirs.user_data_path("muspy_like") / "datasets"
    assert paths.data_home() == tmp_path / "xdg-data" / "muspy_like" / "datasets"  # on Linux
    assert paths.cache_home() == tmp_path / "xdg-cache" / "muspy_like"
    legacy = Path(tmp_path / ".muspy_like" / "datasets")
    legacy.mkdir(parents=True)
    assert paths.data_home() == legacy  # datasets downloaded by an earlier version stay where they are
