"""Hearing commands: voice activity, the recognizers, choosing an engine, speech models, the start gate."""
