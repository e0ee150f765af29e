"""The one exception the command line turns into a message instead of a traceback."""


class UserError(Exception):
    """A problem with the user's input, stated in one line (`file: key.path: problem`)."""

    def __init__(self, message: str) -> None:
        # The CLI prints str(error) as a single line; a multi-line message would break that
        # promise (and log greps), so any line break an input smuggled in is folded here.
        super().__init__(" ".join(part.strip() for part in str(message).splitlines()))


class Busy(UserError):
    """A run or sweep directory that another process is writing (it holds the lock)."""


class Interrupted(Exception):
    """A run stopped by a signal after checkpointing a whole generation."""

    def __init__(self, signum: int, message: str) -> None:
        super().__init__(message)
        self.signum = signum
