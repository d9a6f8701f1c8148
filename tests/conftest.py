import os

import pytest

from tests import pulse as pulse_server
from tests.sessions import Recording, simulate  # noqa: F401  (re-exported for tests)


@pytest.fixture(autouse=True)
def matcoach_home(tmp_path, monkeypatch):
    """Every test gets its own empty data directory: nothing touches the real one."""
    home = tmp_path / "matcoach-home"
    monkeypatch.setenv("MATCOACH_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def pulse(tmp_path_factory):
    """A private PulseAudio server with a virtual speaker and microphone (./setup.sh test installs it)."""
    if not pulse_server.available():
        if os.environ.get("CI"):
            pytest.fail("PulseAudio is missing: run the tests through ./setup.sh test, which installs it")
        pytest.skip("PulseAudio is not installed (./setup.sh test installs it)")
    server = pulse_server.PulseServer(tmp_path_factory.mktemp("pulse")).start()
    yield server
    server.stop()
