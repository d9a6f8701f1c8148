"""matcoach: an offline, voice-guided coach for floor core work."""

__version__ = "0.1.0"
