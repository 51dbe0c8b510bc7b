"""Shared fixtures: the repository root and the reference material that sits beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = (REPO_ROOT / ".." / "shared").resolve()
REFERENCE_DIR = SHARED_DIR / "reference"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """../shared/reference: the authors' reference weights and logits. Missing means a broken setup."""
    if not REFERENCE_DIR.is_dir():
        pytest.fail(f"reference material not found at {REFERENCE_DIR}; clone the repo next to shared/")
    return REFERENCE_DIR


@pytest.fixture(scope="session")
def reference_xs(reference_dir: Path) -> dict:
    import torch

    return torch.load(reference_dir / "hierattn_xs_8cls.pt", weights_only=True)


@pytest.fixture(scope="session")
def reference_s(reference_dir: Path) -> dict:
    import torch

    return torch.load(reference_dir / "hierattn_s_8cls.pt", weights_only=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failure: every backend must be installed and exercised."""
    import os

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped and exitstatus == 0:
        names = ", ".join(getattr(r, "nodeid", "?") for r in skipped[:5])
        reporter.write_line(f"CI forbids skipped tests; {len(skipped)} skipped: {names}", red=True)
        session.exitstatus = 1
