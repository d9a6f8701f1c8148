"""Vosk model management: pinned downloads, safe installs, never a half-installed model."""

import hashlib
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from functools import partial
from pathlib import Path

import pytest

from assistant.ears import model_install, models
from assistant.ears.model_choice import find_model
from assistant.ears.models import COMPLETE, Known, ModelError
from tests.cli import matcoach

NAME = "vosk-model-small-xx-test-0.1"


def fake_model(folder: Path) -> Path:
    """The shape of a Vosk model (what install checks); it is never loaded."""
    for file in ("am/final.mdl", "conf/model.conf", "graph/HCLr.fst", "ivector/final.ie"):
        (folder / file).parent.mkdir(parents=True, exist_ok=True)
        (folder / file).write_bytes(b"model data " + file.encode())
    return folder


def zipped(folder: Path, archive: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, f"{folder.name}/{path.relative_to(folder)}")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return archive


@pytest.fixture
def model_zip(tmp_path) -> Path:
    return zipped(fake_model(tmp_path / "src" / NAME), tmp_path / f"{NAME}.zip")


def leftovers(home: Path) -> list[str]:
    folder = home / "models"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_install_from_zip_then_found_for_its_language(model_zip, matcoach_home):
    path = model_install.install(model_zip, unverified=True).path
    assert path == matcoach_home / "models" / NAME and (path / COMPLETE).exists()
    assert (path / "am" / "final.mdl").read_bytes() == b"model data am/final.mdl"
    assert find_model("xx") == path
    assert leftovers(matcoach_home) == [NAME]  # no temporary folders left behind


def test_install_from_a_folder_under_a_name(tmp_path, matcoach_home):
    path = model_install.install(fake_model(tmp_path / "unpacked"), name="mine-xx", unverified=True).path
    assert path.name == "mine-xx" and find_model("xx") is None  # the name says no language
    with pytest.raises(ModelError, match="already installed; remove it first with `matcoach models remove mine-xx`"):
        model_install.install(fake_model(tmp_path / "unpacked"), name="mine-xx", unverified=True)
    assert models.remove("mine-xx") == path and not path.exists()


@pytest.mark.parametrize("entry,words", [
    ("../escaped.txt", "would land outside the model folder"),
    ("/tmp/absolute.txt", "would land outside the model folder"),
    (f"{NAME}/../../escaped.txt", "would land outside the model folder"),
])
def test_archive_entries_outside_the_target_are_refused(tmp_path, matcoach_home, entry, words):
    archive = zipped(fake_model(tmp_path / "src" / NAME), tmp_path / "evil.zip", {entry: b"gotcha"})
    with pytest.raises(ModelError, match=words):
        model_install.install(archive, unverified=True)
    # zipfile itself would tame these names and write them inside the model folder: nothing of the
    # archive may land anywhere, inside or out
    assert not [p for p in tmp_path.rglob("*") if p.name in ("escaped.txt", "absolute.txt")]
    assert not Path("/tmp/absolute.txt").exists()
    assert leftovers(matcoach_home) == []


def test_symbolic_links_in_archives_are_refused(tmp_path, matcoach_home):
    archive = zipped(fake_model(tmp_path / "src" / NAME), tmp_path / "link.zip")
    with zipfile.ZipFile(archive, "a") as z:
        info = zipfile.ZipInfo(f"{NAME}/conf/evil")
        info.external_attr = (0o120777 << 16)
        z.writestr(info, "/etc/passwd")
    with pytest.raises(ModelError, match="refusing symbolic link"):
        model_install.install(archive, unverified=True)
    assert leftovers(matcoach_home) == []


def test_damaged_or_wrong_archives_are_clear_errors(tmp_path, model_zip, matcoach_home):
    cut = tmp_path / "cut.zip"
    cut.write_bytes(model_zip.read_bytes()[:300])
    with pytest.raises(ModelError, match="not a zip archive .*download it again"):
        model_install.install(cut)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelError, match=r"not a complete Vosk model \(no am/final.mdl\)"):
        model_install.install(empty, unverified=True)
    with pytest.raises(ModelError, match="no such file or folder"):
        model_install.install(tmp_path / "nowhere.zip")
    assert leftovers(matcoach_home) == []


def test_a_half_installed_model_is_never_used(tmp_path, matcoach_home):
    fake_model(matcoach_home / "models" / NAME)  # as if unpacked by hand or cut off: no marker
    assert find_model("xx") is None
    (listed,) = [m for m in models.installed() if m.name == NAME]
    assert not listed.complete


def test_model_path_from_the_environment_or_the_option(tmp_path, monkeypatch):
    model = fake_model(tmp_path / "anywhere")
    monkeypatch.setenv(models.ENV_MODEL, str(model))
    assert find_model("en") == model
    monkeypatch.setenv(models.ENV_MODEL, str(tmp_path / "nothing"))
    with pytest.raises(ModelError, match="VOSK_MODEL_PATH: .*no such model folder"):
        find_model("en")
    (tmp_path / "half").mkdir()
    with pytest.raises(ModelError, match="--model: .*not a complete Vosk model"):
        find_model("en", explicit=tmp_path / "half")


def test_vosk_model_path_may_be_a_folder_of_models_as_in_vosk(tmp_path, monkeypatch):
    english = fake_model(tmp_path / "models" / "vosk-model-small-en-us-0.15")
    korean = fake_model(tmp_path / "models" / "vosk-model-small-ko-0.22")
    monkeypatch.setenv(models.ENV_MODEL, str(tmp_path / "models"))
    assert find_model("en") == english and find_model("ko") == korean
    assert find_model("fr") is None  # none for French there: PocketSphinx or the installed ones
    assert find_model("en", explicit=tmp_path / "models") == english  # --model takes a folder of models too
    with pytest.raises(ModelError, match="no model for 'fr' in this folder of models"):
        find_model("fr", explicit=tmp_path / "models")


def test_models_vosk_keeps_in_its_own_folder_are_found(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv(models.ENV_MODEL, raising=False)
    english = fake_model(tmp_path / ".cache" / "vosk" / "vosk-model-small-en-us-0.15")
    assert find_model("en") == english
    (listed,) = [m for m in models.installed() if m.name == english.name]
    assert listed.source == "~/.cache/vosk" and listed.complete


def test_an_installed_model_is_found_by_its_name(matcoach_home, monkeypatch):
    monkeypatch.delenv(models.ENV_MODEL, raising=False)
    model = fake_model(matcoach_home / "models" / NAME)
    (model / models.COMPLETE).write_text("")
    assert find_model("xx", explicit=Path(NAME)) == model


@pytest.fixture
def server(tmp_path):
    """A web server on the loopback address, serving tmp_path."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.RequestHandlerClass.log_message = lambda *a: None
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def pinned(archive: Path, url: str, **changes) -> Known:
    data = archive.read_bytes()
    fields = dict(name=NAME, language="xx", url=f"{url}/{archive.name}", size=len(data),
                  sha256=hashlib.sha256(data).hexdigest()) | changes
    return Known(**fields)


def test_download_checks_size_and_checksum_then_installs(model_zip, server, matcoach_home):
    seen = []
    done = model_install.download(pinned(model_zip, server), progress=lambda got, total: seen.append((got, total)))
    path = done.path
    assert (path / COMPLETE).exists() and seen[-1] == (model_zip.stat().st_size,) * 2
    assert leftovers(matcoach_home) == [NAME]


@pytest.mark.parametrize("change,words", [
    ({"sha256": "0" * 64}, "SHA-256 does not match the pinned one; nothing was installed"),
    ({"size": 12345}, "the server offers 773 bytes, the pin says 12,345; nothing was downloaded"),
])
def test_a_download_that_does_not_match_its_pin_is_refused(model_zip, server, matcoach_home, change, words):
    with pytest.raises(ModelError, match=words):
        model_install.download(pinned(model_zip, server, **change))
    assert leftovers(matcoach_home) == []  # no partial file, no model


@pytest.mark.slow
def test_offline_download_gives_the_manual_route(tmp_path):
    result = matcoach("models", "download", "--from", "http://127.0.0.1:9/none.zip", home=tmp_path, check=False)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "cannot download vosk-model-small-en-us-0.15" in result.stderr
    assert "copy it here and run `matcoach models install vosk-model-small-en-us-0.15.zip`" in result.stderr


@pytest.mark.slow
def test_models_cli_install_list_remove(tmp_path, model_zip):
    home = tmp_path / "home"
    refused = matcoach("models", "install", model_zip, home=home, check=False)
    assert refused.returncode == 2 and "install it anyway with --unverified" in refused.stderr
    done = matcoach("models", "install", model_zip, "--unverified", home=home)
    assert done.stdout.startswith(f"installed {NAME} in ") and "unverified" in done.stdout
    assert "installed" in done.stderr and "unverified" in done.stderr  # the warning
    listed = {m["name"]: m for m in json.loads(matcoach("models", "list", "--json", home=home).stdout)}
    assert listed[NAME]["installed"] and listed[NAME]["complete"] and listed[NAME]["language"] == "xx"
    assert listed[NAME]["sha256"] == hashlib.sha256(model_zip.read_bytes()).hexdigest()
    assert listed[NAME]["size"] > 0 and listed[NAME]["verified"] is False
    assert "vosk-model-small-en-us-0.15" not in listed  # --json lists installed models only
    table = matcoach("models", "list", home=home).stdout
    assert "vosk-model-small-en-us-0.15" in table and "not installed" in table and "30f26242c4eb449f" in table
    assert matcoach("models", "remove", NAME, home=home).stdout.startswith("removed ")
    bad = matcoach("models", "remove", NAME, home=home, check=False)
    assert bad.returncode == 2 and f"no installed model named '{NAME}'" in bad.stderr


@pytest.mark.parametrize("name,words", [
    ("", "give a model name"),
    ("   ", "give a model name"),
    (".", "is not a model name"),
    ("..", "is not a model name"),
    (f"{NAME}/../..", "is not a model name"),
    ("/", "is not a model name"),
    (".installing-x", "is not a model name"),
    ("no-such-model", "no installed model named 'no-such-model'"),
])
def test_removing_touches_nothing_but_an_installed_model(tmp_path, model_zip, matcoach_home, name, words):
    """`models remove` once deleted any folder it was given, the data directory with the history included."""
    installed = model_install.install(model_zip, unverified=True).path
    (matcoach_home / "history.sqlite").write_bytes(b"the workout record")
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    for target in (name, str(outside)) if name else (name,):
        with pytest.raises(ModelError, match=words if target == name else "is not a model name"):
            models.remove(target)
    assert (outside / "keep.txt").exists() and (matcoach_home / "history.sqlite").exists()
    assert (installed / COMPLETE).exists()


def test_a_link_in_the_models_folder_is_removed_without_touching_its_target(tmp_path, matcoach_home):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    models.models_dir().mkdir(parents=True)
    (models.models_dir() / "linked").symlink_to(target)
    assert models.remove("linked") == models.models_dir() / "linked"
    assert (target / "keep.txt").exists() and not (models.models_dir() / "linked").exists()


@pytest.mark.parametrize("name", ["../outside", "/abs/path", ".hidden", ""])
def test_install_names_are_plain_names(tmp_path, model_zip, matcoach_home, name):
    with pytest.raises(ModelError, match="name for the model"):
        model_install.install(model_zip, name=name, unverified=True)
    assert leftovers(matcoach_home) == [] and not (tmp_path / "outside").exists()


# -- verification, limits and leftovers (issue 15 items 4, 11, 12; issue 14: verification everywhere) --

@pytest.fixture
def known(model_zip, monkeypatch) -> Known:
    """The test archive as a model matcoach knows, pinned by size and SHA-256."""
    data = model_zip.read_bytes()
    entry = Known(name=NAME, language="xx", url=None, size=len(data), sha256=hashlib.sha256(data).hexdigest())
    monkeypatch.setattr("assistant.ears.model_archive.KNOWN", (entry,))
    return entry


def test_a_known_archive_is_checked_against_its_pin(model_zip, known, tmp_path, matcoach_home):
    renamed = tmp_path / "download.zip"  # the pin, not the file name, says what it is
    renamed.write_bytes(model_zip.read_bytes())
    done = model_install.install(renamed)
    assert done.verified and done.path.name == NAME and done.how() == "size and SHA-256 match the pin"
    (listed,) = [m for m in models.installed() if m.name == NAME]
    assert listed.verified and listed.sha256 == known.sha256


def test_an_altered_known_archive_is_refused_even_with_unverified(tmp_path, known, matcoach_home):
    folder = fake_model(tmp_path / "other" / NAME)
    (folder / "am" / "final.mdl").write_bytes(b"something else")
    altered = zipped(folder, tmp_path / f"{NAME}.zip")
    with pytest.raises(ModelError, match=f"looks like {NAME}, but its SHA-256 does not match the pinned one"):
        model_install.install(altered, unverified=True)
    assert leftovers(matcoach_home) == []


def test_an_unknown_archive_or_a_folder_needs_unverified(model_zip, tmp_path, matcoach_home):
    with pytest.raises(ModelError, match="no pin for this archive; install it anyway with --unverified"):
        model_install.install(model_zip)
    with pytest.raises(ModelError, match="a folder cannot be checked against a pin; install it anyway with --unv"):
        model_install.install(fake_model(tmp_path / "unpacked"))
    assert leftovers(matcoach_home) == []


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path, matcoach_home):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for file in ("am/final.mdl", "conf/model.conf"):
            z.writestr(f"{NAME}/{file}", b"x")
        z.writestr(f"{NAME}/graph/HCLG.fst", b"\0" * (48 << 20))
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(ModelError, match=r"unpacks to 48 MB from .* kB, which no model does; refusing it"):
        model_install.install(bomb, unverified=True)
    assert leftovers(matcoach_home) == []


@pytest.mark.parametrize("make,words", [
    (lambda folder, outside: (folder / "graph" / "link").symlink_to(outside), "refusing symbolic link graph/link"),
    (lambda folder, outside: (folder / "loop").symlink_to(folder / "loop"), "refusing symbolic link loop"),
    (lambda folder, outside: (folder / "dangling").symlink_to(outside / "gone"), "refusing symbolic link dangling"),
    (lambda folder, outside: os.mkfifo(folder / "conf" / "pipe"), "refusing conf/pipe, which is not a plain file"),
])
def test_a_model_folder_with_links_or_pipes_is_refused(tmp_path, matcoach_home, make, words):
    folder = fake_model(tmp_path / "src" / NAME)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not a model")
    make(folder, outside)
    with pytest.raises(ModelError, match=words):
        model_install.install(folder, unverified=True)
    assert leftovers(matcoach_home) == []
    assert not list(matcoach_home.rglob("secret.txt"))


@pytest.mark.parametrize("make,words", [
    (lambda path: zipfile.ZipFile(path, "w").close(), "the archive is empty"),
    (lambda path: tarfile.open(path, "w:gz").close(), "is a tar archive, not a zip; unpack it"),
    (lambda path: os.mkfifo(path), "is not a regular file (a pipe or a device)"),
])
def test_empty_tar_and_pipe_archives_are_named(tmp_path, matcoach_home, make, words):
    path = tmp_path / "model.tar.gz" if "tar" in words else tmp_path / "model.zip"
    make(path)
    with pytest.raises(ModelError, match=re.escape(words)):
        model_install.install(path, unverified=True)
    assert leftovers(matcoach_home) == []


def test_an_endless_download_stops_at_its_pinned_size(matcoach_home):
    endless = Known(name=NAME, language="xx", url="file:///dev/zero", size=1 << 20, sha256="0" * 64)
    with pytest.raises(ModelError, match="larger than its pinned 1,048,576 bytes; stopped, nothing was installed"):
        model_install.download(endless)
    assert leftovers(matcoach_home) == []


def test_leftovers_of_killed_runs_are_swept_and_live_ones_kept(matcoach_home):
    folder = matcoach_home / "models"
    folder.mkdir(parents=True)
    dead = 999_999_999  # no such process
    (folder / f".installing-{dead}-abc").mkdir()
    (folder / f".download-{dead}-abc").mkdir()
    (folder / f".installing-{os.getpid()}-abc").mkdir()
    swept = sorted(p.name for p in model_install.sweep())
    assert swept == [f".download-{dead}-abc", f".installing-{dead}-abc"]
    assert leftovers(matcoach_home) == [f".installing-{os.getpid()}-abc"]


def test_models_list_json_is_an_empty_array_without_models(capsys, monkeypatch):
    monkeypatch.setattr(models, "package_model", lambda language: None)
    from assistant.cli.main import main

    assert main(["models", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["models", "list"]) == 0
    out, err = capsys.readouterr()
    assert "not installed" in out and "no Vosk model is installed yet" in err


@pytest.fixture
def trickle():
    """A web server that sends the pinned English model's size, a few bytes at a time: a download that
    is still under way when it is stopped."""
    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(models.KNOWN[0].size))
            self.end_headers()
            try:
                for _ in range(600):
                    self.wfile.write(b"\0" * 4096)
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/model.zip"
    httpd.shutdown()


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_a_stopped_download_leaves_nothing_behind(tmp_path, trickle, stop):
    """Killed with SIGTERM, the download once left a hidden .partial that nothing listed or cleaned."""
    home = tmp_path / "home"
    env = dict(os.environ, MATCOACH_HOME=str(home))
    run = subprocess.Popen([sys.executable, "-m", "assistant", "models", "download", "--from", trickle],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    def downloading() -> bool:
        folder = home / "models"
        return folder.is_dir() and any(p.stat().st_size for p in folder.rglob("*.zip"))

    deadline = time.monotonic() + 30
    while not downloading():
        assert time.monotonic() < deadline and run.poll() is None, run.communicate()
        time.sleep(0.05)
    run.send_signal(stop)
    out, err = run.communicate(timeout=30)
    assert "Traceback" not in err
    if stop != signal.SIGKILL:
        assert run.returncode == 130 and leftovers(home) == [], (err, leftovers(home))
    else:  # nothing can clean up after SIGKILL: the next command does
        assert leftovers(home) != []
        matcoach("models", "list", home=home)
        assert leftovers(home) == []
