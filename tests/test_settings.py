"""Every setting is declared once and documented in the README."""

from __future__ import annotations

from conftest import ROOT
from cpcsearch.config import SETTINGS, Config


def test_every_setting_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"CPCSEARCH_{setting.name}" in readme, setting.name


def test_environment_then_overrides() -> None:
    config = Config.load(env={"CPCSEARCH_CRAWL_DELAY": "2.5", "CPCSEARCH_STORE": "/x.sqlite"},
                         STORE="/y.sqlite")
    assert config.CRAWL_DELAY == 2.5
    assert config.STORE == "/y.sqlite"
    assert Config.load(env={}).ADMIN_TOKEN == ""


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert command in readme
