import os
import subprocess

import pytest

from tests import pulse as pulse_server
from tests.sessions import Recording, simulate  # noqa: F401  (re-exported for tests)


@pytest.fixture(autouse=True)
def matcoach_home(tmp_path, monkeypatch):
    """Every test gets its own empty data directory: nothing touches the real one, and no setting from
    the developer's environment (MATCOACH_VOICE, VOSK_MODEL_PATH, ...) changes what a test sees."""
    for name in [n for n in os.environ if n.startswith("MATCOACH_") or n == "VOSK_MODEL_PATH"]:
        monkeypatch.delenv(name)
    home = tmp_path / "matcoach-home"
    monkeypatch.setenv("MATCOACH_HOME", str(home))
    return home


def _refuse(what: str):
    def refuse(*args, **kwargs):
        raise AssertionError(f"a test in the fast tier {what}: mark it @pytest.mark.slow")
    return refuse


def _keep_fast(patch: pytest.MonkeyPatch) -> None:
    """No process, no recognition model, no speech engine, no audio stream."""
    for module, name, what in (("pocketsphinx", "Decoder", "loaded the PocketSphinx model"),
                               ("vosk", "Model", "loaded a Vosk model"),
                               ("sounddevice", "InputStream", "opened a microphone"),
                               ("sounddevice", "OutputStream", "opened a speaker"),
                               ("pyttsx3", "init", "started the speech engine")):
        try:
            patch.setattr(f"{module}.{name}", _refuse(what))
        except (ImportError, AttributeError):
            pass
    # last: importing those libraries looks for native libraries with a process (ldconfig)
    patch.setattr(subprocess.Popen, "_execute_child", _refuse("started a process"))


@pytest.fixture(scope="session", autouse=True)
def fast_tier_run(request):
    """Running the fast tier alone (-m "not slow"): fixtures of every scope stay fast too."""
    if "not slow" not in (request.config.getoption("markexpr") or ""):
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        _keep_fast(patch)
        yield


@pytest.fixture(autouse=True)
def fast_tier_stays_fast(request, monkeypatch):
    """Tests not marked slow start no process, load no recognition model and open no audio stream,
    so `-m "not slow"` runs in seconds."""
    if not request.node.get_closest_marker("slow"):
        _keep_fast(monkeypatch)


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
