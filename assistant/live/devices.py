"""Audio devices by index or name, with errors that list what there is."""

from typing import Any

from assistant.core.errors import MatcoachError


class DeviceError(MatcoachError):
    """No audio device matches what was asked for."""


def _query() -> list[dict[str, Any]]:
    try:
        import sounddevice
    except OSError as e:  # PortAudio itself is missing
        raise DeviceError(f"audio is unavailable ({e}); install libportaudio2 (sudo apt-get install "
                          f"libportaudio2) or run ./setup.sh") from None
    return [dict(d, index=i) for i, d in enumerate(sounddevice.query_devices())]


def list_devices() -> list[dict[str, Any]]:
    """Every audio device: index, name, input and output channels, default rate, system defaults."""
    devices = _query()
    default_in, default_out = _default("input"), _default("output")
    return [dict(index=d["index"], name=d["name"], inputs=d["max_input_channels"], outputs=d["max_output_channels"],
                 rate=d["default_samplerate"], default_input=d["index"] == default_in,
                 default_output=d["index"] == default_out) for d in devices]


def _default(kind: str) -> int | None:
    """The index of the device the system uses for ``kind`` when none is chosen (None when there is none)."""
    import sounddevice

    try:
        return int(sounddevice.query_devices(kind=kind)["index"])
    except (sounddevice.PortAudioError, ValueError, KeyError, TypeError):
        return None


def find_device(spec: str | None, kind: str) -> int | None:
    """The index of the ``kind`` ("input"/"output") device named by ``spec`` (an index or part of a name);
    None asks for the system default."""
    channels = f"max_{kind}_channels"
    devices = [d for d in _query() if d[channels] > 0]
    if not devices:
        raise DeviceError(f"no audio {kind} device found on this machine; connect one, or use --out-wav FILE "
                          f"to hear the session as a file")
    if spec is None:
        return None
    listing = "; ".join(f"{d['index']}: {d['name']}" for d in devices)
    if spec.isdigit():
        index = int(spec)
        if any(d["index"] == index for d in devices):
            return index
        raise DeviceError(f"no audio {kind} device with index {index}; use one of: {listing}")
    matches = [d for d in devices if spec.lower() in d["name"].lower()]
    if len(matches) == 1:
        return matches[0]["index"]
    if not matches:
        raise DeviceError(f"no audio {kind} device matching {spec!r}; use one of: {listing}")
    exact = [d for d in matches if d["name"].lower() == spec.lower()]
    if len(exact) == 1:
        return exact[0]["index"]
    raise DeviceError(f"{spec!r} matches several {kind} devices ({', '.join(d['name'] for d in matches)}); "
                      f"give more of the name or the index")
