"""Named exceptions of the grader.

Every failure a grade can meet has a class here, and every class carries a
sentence meant for people (``str(error)``). Nothing outside the grader's own
bugs should ever surface as a traceback.
"""

from __future__ import annotations


class GraderError(Exception):
    """Base class of everything the grader raises on purpose."""


class Rejected(GraderError):
    """The submission cannot be graded as given (not a notebook, unknown assignment, ...)."""


class ConfigError(GraderError):
    """An assignment's configuration or check suite is inconsistent (a course-staff error)."""


class InstallError(GraderError):
    """The grader is not installed completely (no assignments, no kernel provisioner)."""


class SandboxUnavailable(GraderError):
    """The requested isolation cannot be set up on this machine."""


class KernelStartError(GraderError):
    """The sandboxed kernel did not start or did not answer in time."""


class DatasetMissing(GraderError):
    """A data set that an assignment needs is not on disk."""


# --- errors raised by the student proxy, one per way a call can go wrong -------------


class StudentError(GraderError):
    """A call into the student's kernel did not produce a usable result."""

    status = "failed"

    def __init__(self, call: str, sentence: str) -> None:
        super().__init__(sentence)
        self.call = call


class MissingFunction(StudentError):
    """The notebook does not define the name the check calls."""


class StudentRaised(StudentError):
    """The student's code raised an exception; it is carried as text, never as an object."""

    def __init__(self, call: str, type_name: str, mro: list[str], message: str, where: str) -> None:
        text = f"{call} raised {type_name}: {message}" if message else f"{call} raised {type_name}"
        if where:
            text += f"\n{where}"
        super().__init__(call, text)
        self.type_name = type_name
        self.mro = mro
        self.message = message

    def is_a(self, name: str) -> bool:
        """True when the raised exception is ``name`` or a subclass of it."""
        return name in self.mro or name == self.type_name


class CallTimeout(StudentError):
    """The call did not return within its time limit; the kernel was interrupted."""

    status = "timeout"


class KernelDied(StudentError):
    """The kernel died (crash, exit, memory or process limit) while running the call."""


class NotData(StudentError):
    """The call returned something that is not plain data (an object, a pickle, ...)."""
