"""The command line: one thin module per command, shared option groups, terminal output."""
