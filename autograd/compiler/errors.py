"""The compiler's one error: f cannot be replayed as a fixed program, or a program got other arguments."""


class TraceError(RuntimeError):
    """f cannot be replayed as a fixed program, or a program got other shapes: use the dynamic engine."""
