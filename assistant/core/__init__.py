"""The pure session: commands, events, cues, flow, session, timing, plans, progression, the runner.

Nothing here does I/O or imports the shell (a test enforces it): time, speech and commands come in
through small protocols.
"""
