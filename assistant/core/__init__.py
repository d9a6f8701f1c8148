"""The pure session: commands, events, cues, flow, session (with its phases, attempts, answers and endings),
timing, plans, the progression ladder and schedule, how talk fades, plural forms, the runner.

Nothing here does I/O or imports the shell (a test enforces it): time, speech and commands come in
through small protocols.
"""
