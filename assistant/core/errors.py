"""Domain errors: each carries a one-line message that says how to fix the problem."""


class MatcoachError(Exception):
    """Base for every error a user can cause and fix; the CLI prints it as one line."""


class RoutineError(MatcoachError):
    """A routine or variation file is malformed or names something unknown."""


class PackError(MatcoachError):
    """A voice pack (what the coach says) is malformed."""


class GrammarError(MatcoachError):
    """A grammar (what the coach listens for) is malformed."""
