"""The coach's voice: speech synthesis, the clip cache, mixing cues onto a timeline, WAV output."""
