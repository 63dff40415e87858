"""The child process of a fuzz campaign: ``python -m tests.fuzz.worker FORMAT SECONDS MEMORY FILE...``.

Reads each file with every engine of the format under a time limit per file (an interval timer whose
signal raises inside the reader) and a limit on the address space (so a runaway allocation raises
MemoryError instead of exhausting the machine), and prints one JSON line per file: its verdict
("accepted" or "refused") and the problems found (see :mod:`tests.fuzz.harness`).
"""

from __future__ import annotations

import json
import resource
import signal
import sys
from pathlib import Path


class _OutOfTime(BaseException):
    """Raised by the timer signal; a BaseException so that readers' ``except Exception`` cannot hide it."""


def _alarm(signum, frame):  # noqa: ARG001 - the signal handler's signature
    raise _OutOfTime()


def _limit_memory(extra: int) -> None:
    with open("/proc/self/status") as status:
        size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (size + extra, size + extra))


def judge(outcomes: dict) -> tuple[str, list[tuple[str, str]]]:
    """The verdict on one file and its problems, from each engine's outcome (Music or exception)."""
    from muspy_like.errors import MuspyLikeError

    problems = []
    for engine, outcome in outcomes.items():
        if isinstance(outcome, _OutOfTime):
            problems.append(("hang", f"{engine} ran past the time limit"))
        elif isinstance(outcome, MemoryError):
            problems.append(("out of memory", f"{engine}"))
        elif isinstance(outcome, BaseException) and not isinstance(outcome, MuspyLikeError):
            problems.append(("foreign error", f"{engine}: {type(outcome).__name__}: {outcome}"))
        elif not isinstance(outcome, BaseException):
            try:
                outcome.validate()
            except MuspyLikeError as error:
                problems.append(("invalid result", f"{engine}: {error}"))
    results = list(outcomes.items())
    first_engine, first = results[0]
    for engine, other in results[1:]:
        if isinstance(first, BaseException) != isinstance(other, BaseException):
            problems.append(("engines disagree on accept/reject", f"{first_engine}: {_show(first)}; {engine}: {_show(other)}"))
        elif isinstance(first, BaseException):
            if str(first) != str(other):
                problems.append(("engines give different errors", f"{first_engine}: {first}; {engine}: {other}"))
        elif first != other:
            problems.append(("engines read different results", f"{first_engine} vs {engine}"))
    verdict = "refused" if all(isinstance(o, BaseException) for o in outcomes.values()) else "accepted"
    return verdict, problems


def _show(outcome) -> str:
    return f"{type(outcome).__name__}: {outcome}" if isinstance(outcome, BaseException) else "accepted"


def main(argv: list[str]) -> None:
    name, seconds, memory = argv[0], float(argv[1]), int(argv[2])
    from tests.fuzz.harness import load_target

    target = load_target(name)
    target.read(target.seeds()[0][1])  # imports and first-use work happen before the limits
    _limit_memory(memory)
    signal.signal(signal.SIGALRM, _alarm)
    for path in argv[3:]:
        data = Path(path).read_bytes()
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            outcomes = target.read(data)
        except _OutOfTime as out_of_time:
            outcomes = {"all engines": out_of_time}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        verdict, problems = judge(outcomes)
        print(json.dumps({"file": path, "verdict": verdict, "problems": problems}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
