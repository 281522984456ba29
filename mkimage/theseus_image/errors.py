"""The two kinds of failure mkimage reports, and their exit statuses."""

# Exit statuses (docs/mkimage.md): bad input and usage errors are 2, the
# environment failing us (an external tool, the output directory) is 1.
EXIT_OK = 0
EXIT_ENVIRONMENT = 1
EXIT_BAD_INPUT = 2
# push only: the running kernel refused the crate (it keeps the old one).
EXIT_PUSH_REFUSED = 1


class InputError(Exception):
    """An input file breaks a rule; reported as `FILE: problem`."""

    def __init__(self, file, problem):
        super().__init__(f"{file}: {problem}")
        self.file = file
        self.problem = problem


class EnvironmentFailure(Exception):
    """Something outside the inputs failed (a tool, a write); exit status 1."""
