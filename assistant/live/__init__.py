"""Live audio: microphone, speaker, devices, echo cancellation, reviving devices, the live session."""
