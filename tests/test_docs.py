"""The documentation site builds with warnings as errors, and the README's commands are the real ones."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mkdocs_builds_strictly(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    assert (tmp_path / "site" / "api" / "core" / "index.html").exists()
    page = (tmp_path / "site" / "api" / "core" / "index.html").read_text()
    assert "adjust_resolution" in page, "the API reference is generated from the docstrings"


def test_every_nav_page_exists():
    nav = re.findall(r":\s*([\w/-]+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(), flags=re.M)
    assert len(nav) > 20
    missing = [page for page in nav if not (ROOT / "docs" / page).is_file()]
    assert not missing


def test_readme_quick_start_has_exactly_two_commands_and_ci_calls_the_second():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n\s*(.*?)\n\s*```", quick_start, flags=re.S)
    assert len(commands) == 2
    assert "muspy-like quickstart" in commands[0]
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1].strip() in ci
