"""A real PulseAudio server with virtual devices: 'spk' is the speaker, 'mic' the microphone.

Each null sink is a virtual speaker; its .monitor source hears what is played to it. The coach
plays to spk and records mic.monitor; a test speaks into mic and listens on spk.monitor.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path


class PulseServer:
    def __init__(self, runtime: Path) -> None:
        self.runtime = runtime
        self.env = dict(os.environ, PULSE_RUNTIME_PATH=str(runtime), PULSE_SERVER=f"unix:{runtime}/native",
                        PULSE_SINK="spk", PULSE_SOURCE="mic.monitor")

    def start(self) -> "PulseServer":
        self.runtime.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pulseaudio", "-D", "--exit-idle-time=-1", "-n", "--disallow-exit",
                        "--load=module-null-sink sink_name=spk rate=48000",
                        "--load=module-null-sink sink_name=mic rate=48000",
                        "--load=module-native-protocol-unix"],
                       env=self.env, check=True, capture_output=True, timeout=30)
        for _ in range(100):
            if subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode == 0:
                return self
            time.sleep(0.05)
        raise RuntimeError("PulseAudio did not start")

    def stop(self) -> None:
        subprocess.run(["pulseaudio", "--kill"], env=self.env, capture_output=True, timeout=30)

    def record(self, source: str, path: Path, rate: int = 48000) -> subprocess.Popen:
        """Start recording ``source`` as raw 16-bit mono; stop it with .terminate()."""
        out = path.open("wb")
        return subprocess.Popen(["parec", f"--device={source}", "--format=s16le", f"--rate={rate}",
                                 "--channels=1", "--raw", "--latency-msec=100"], stdout=out, env=self.env)


def available() -> bool:
    return all(shutil.which(tool) for tool in ("pulseaudio", "pactl", "parec", "paplay"))


def pactl(server: PulseServer, *args: str) -> str:
    return subprocess.run(["pactl", *args], env=server.env, check=True, capture_output=True, text=True,
                          timeout=30).stdout.strip()


class Room:
    """The coach's voice reaches the microphone, as in a room: a loopback from the speaker's monitor
    into the virtual microphone, at ``volume`` (PulseAudio percent).

    The loopback steers its own latency towards 20 ms by changing its rate every 10 s: the echo path
    drifts by a few ms a second while it does (a moving room, as with a Bluetooth speaker). ``still``
    turns that off, for a test of the reference alone: the echo then stays where the loopback began."""

    def __init__(self, server: PulseServer, volume: int = 40, *, still: bool = False) -> None:
        self.server = server
        self.volume = volume
        self.still = still
        self.module: str | None = None

    def __enter__(self) -> "Room":
        self.module = pactl(self.server, "load-module", "module-loopback", "source=spk.monitor", "sink=mic",
                            "latency_msec=20", "source_dont_move=true", "sink_dont_move=true",
                            *(["adjust_time=0"] if self.still else []))
        loops = [line.split()[0] for line in pactl(self.server, "list", "short", "sink-inputs").splitlines()
                 if "module-loopback" in line]  # columns: id, sink, client, driver, format
        assert loops, "the loopback has no stream"
        for stream in loops:
            pactl(self.server, "set-sink-input-volume", stream, f"{self.volume}%")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.module is not None:
            pactl(self.server, "unload-module", self.module)


class Unplugged:
    """A virtual device gone for the duration of the block (its null sink's module unloaded), then
    plugged back in under the same name.

    PulseAudio would move the coach's streams to another device (the other null sink); a suspended
    sink made the default meanwhile takes them instead, so the device is really gone, as on a Pi
    with one USB speakerphone."""

    def __init__(self, server: PulseServer, sink: str) -> None:
        self.server, self.sink = server, sink
        self.nowhere: str | None = None

    def _module(self, sink: str) -> str:
        modules = pactl(self.server, "list", "short", "modules").splitlines()
        (module,) = [line.split()[0] for line in modules if f"sink_name={sink} " in line + " "]
        return module

    def __enter__(self) -> "Unplugged":
        self.nowhere = pactl(self.server, "load-module", "module-null-sink", "sink_name=nowhere")
        pactl(self.server, "suspend-sink", "nowhere", "1")
        pactl(self.server, "set-default-sink", "nowhere")
        pactl(self.server, "set-default-source", "nowhere.monitor")
        pactl(self.server, "unload-module", self._module(self.sink))
        return self

    def __exit__(self, *exc: object) -> None:
        pactl(self.server, "load-module", "module-null-sink", f"sink_name={self.sink}", "rate=48000")
        if self.nowhere is not None:
            pactl(self.server, "unload-module", self.nowhere)
