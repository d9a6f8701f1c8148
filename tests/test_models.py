"""Vosk model management: pinned downloads, safe installs, never a half-installed model."""

import hashlib
import http.server
import json
import threading
import zipfile
from functools import partial
from pathlib import Path

import pytest

from assistant.ears import models
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
    path = models.install(model_zip)
    assert path == matcoach_home / "models" / NAME and (path / COMPLETE).exists()
    assert (path / "am" / "final.mdl").read_bytes() == b"model data am/final.mdl"
    assert find_model("xx") == path
    assert leftovers(matcoach_home) == [NAME]  # no temporary folders left behind


def test_install_from_a_folder_under_a_name(tmp_path, matcoach_home):
    path = models.install(fake_model(tmp_path / "unpacked"), name="mine-xx")
    assert path.name == "mine-xx" and find_model("xx") is None  # the name says no language
    with pytest.raises(ModelError, match="already installed; remove it first with `matcoach models remove mine-xx`"):
        models.install(fake_model(tmp_path / "unpacked"), name="mine-xx")
    assert models.remove("mine-xx") == path and not path.exists()


@pytest.mark.parametrize("entry,words", [
    ("../escaped.txt", "would land outside the model folder"),
    ("/tmp/absolute.txt", "would land outside the model folder"),
    (f"{NAME}/../../escaped.txt", "would land outside the model folder"),
])
def test_archive_entries_outside_the_target_are_refused(tmp_path, matcoach_home, entry, words):
    archive = zipped(fake_model(tmp_path / "src" / NAME), tmp_path / "evil.zip", {entry: b"gotcha"})
    with pytest.raises(ModelError, match=words):
        models.install(archive)
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
        models.install(archive)
    assert leftovers(matcoach_home) == []


def test_damaged_or_wrong_archives_are_clear_errors(tmp_path, model_zip, matcoach_home):
    cut = tmp_path / "cut.zip"
    cut.write_bytes(model_zip.read_bytes()[:300])
    with pytest.raises(ModelError, match="not a zip archive .*download it again"):
        models.install(cut)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelError, match=r"not a complete Vosk model \(no am/final.mdl\)"):
        models.install(empty)
    with pytest.raises(ModelError, match="no such file or folder"):
        models.install(tmp_path / "nowhere.zip")
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
    path = models.download(pinned(model_zip, server), progress=lambda done, total: seen.append((done, total)))
    assert (path / COMPLETE).exists() and seen[-1] == (model_zip.stat().st_size,) * 2
    assert leftovers(matcoach_home) == [NAME]


@pytest.mark.parametrize("change,words", [
    ({"sha256": "0" * 64}, "SHA-256 does not match the pinned one; nothing was installed"),
    ({"size": 12345}, "expected 12,345; the download was cut short or altered"),
])
def test_a_download_that_does_not_match_its_pin_is_refused(model_zip, server, matcoach_home, change, words):
    with pytest.raises(ModelError, match=words):
        models.download(pinned(model_zip, server, **change))
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
    assert matcoach("models", "install", model_zip, home=home).stdout.startswith(f"installed {NAME} in ")
    listed = {m["name"]: m for m in json.loads(matcoach("models", "list", "--json", home=home).stdout)}
    assert listed[NAME]["installed"] and listed[NAME]["complete"] and listed[NAME]["language"] == "xx"
    assert listed["vosk-model-small-en-us-0.15"]["installed"] is False
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
    installed = models.install(model_zip)
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
        models.install(model_zip, name=name)
    assert leftovers(matcoach_home) == [] and not (tmp_path / "outside").exists()
