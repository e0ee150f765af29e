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


class Wording:
    """How a message names the caller's options: the command line's flags, or the API's
    arguments, so that the advice it gives can be followed where it is read."""

    def __init__(self, resume: str, force: str, out: str, again: str) -> None:
        self.resume, self.force, self.out = resume, force, out
        self._again = again  # the call that continues a run, with {path} in it

    def again(self, path) -> str:
        """The call that continues the run at `path`."""
        return self._again.format(path=path)


CLI_WORDS = Wording("--resume", "--force", "--out", "`evo run {path} --resume`")
API_WORDS = Wording("resume=True", "force=True", "out=",
              "`api.run` with the same arguments and resume=True (out='{path}')")
