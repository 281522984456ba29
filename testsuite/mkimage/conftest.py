"""Fixtures for the mkimage suites: real crate objects built with the real
crate flags, a stand-in nano-core, and a freshly built archive."""

import pytest

from harness import GOOD_CRATES, Toolchain, mkimage


@pytest.fixture(scope="session")
def toolchain(tmp_path_factory):
    return Toolchain(tmp_path_factory.mktemp("toolchain"))


@pytest.fixture(scope="session")
def nano_core(toolchain):
    return toolchain.nano_core()


@pytest.fixture(scope="session")
def good_crates(toolchain):
    """name -> path of a valid crate object; shared, so never modify them."""
    return {name: toolchain.crate(name, files=files)
            for name, files in GOOD_CRATES.items()}


@pytest.fixture
def base_set(good_crates):
    """A consistent set in build order: log, timer, hello."""
    return [good_crates["log"], good_crates["timer"], good_crates["hello"]]


@pytest.fixture
def built_archive(tmp_path, nano_core, base_set):
    archive = tmp_path / "crates.archive"
    result = mkimage("build", "-o", archive, "--nano-core", nano_core, *base_set)
    assert result.returncode == 0, result.stderr
    return archive
