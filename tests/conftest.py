import pytest

from tests.sessions import Recording, simulate  # noqa: F401  (re-exported for tests)


@pytest.fixture(autouse=True)
def matcoach_home(tmp_path, monkeypatch):
    """Every test gets its own empty data directory: nothing touches the real one."""
    home = tmp_path / "matcoach-home"
    monkeypatch.setenv("MATCOACH_HOME", str(home))
    return home
