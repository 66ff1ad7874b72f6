"""What the importer reads twice without holding it: the file's lines, and the facts the rules derived.

- `line_source` turns what `import_lines` is given into a callable that yields the lines again from
  the start at each call: a file (read again from disk, by chunks), a whole text, a list, or a
  callable that reopens its source. A one-shot iterator is the only thing kept in memory (its
  callers pass small files: tests, the demo).
- `FactsSpool` keeps what the rules derived for each valid person (accompaniment verdicts, current
  planned ends, referral states: small tuples) in a temporary file, in the order of the lines,
  so the write pass reads them back in step with the file instead of the import holding them.
"""
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from agir.interchange.checks import AccompanimentFacts, PersonFacts

LineSource = Callable[[], Iterable]  # each call: the lines (str or UTF-8 bytes) from the first one
CHUNK_BYTES = 1 << 20
SPOOL_BATCH = 1000  # facts pickled together


def line_source(lines) -> LineSource:
    """A callable giving the lines again at each call (see the module's docstring)."""
    if isinstance(lines, os.PathLike):
        path = Path(lines)
        return lambda: file_lines(path)
    if isinstance(lines, str | bytes):
        split = lines.splitlines()
        return lambda: split
    if callable(lines):
        return lines
    if iter(lines) is lines:  # an iterator can be walked once: its lines are kept
        lines = list(lines)
    return lambda: lines


def file_lines(path: Path) -> Iterator[bytes]:
    """The lines of a file as `bytes.splitlines` would cut them (\\n, \\r\\n or \\r), read by chunks."""
    with open(path, "rb") as stream:
        rest = b""
        while chunk := stream.read(CHUNK_BYTES):
            parts = (rest + chunk).splitlines(keepends=True)
            # The last part may go on in the next chunk (no end yet, or a \r whose \n is still to come).
            rest = b"" if parts[-1].endswith(b"\n") else parts.pop()
            for part in parts:
                yield _without_end(part)
        if rest:
            yield _without_end(rest)


def _without_end(part: bytes) -> bytes:
    if part.endswith(b"\r\n"):
        return part[:-2]
    return part[:-1] if part.endswith((b"\n", b"\r")) else part


def count_lines(source: LineSource) -> int:
    """Non-blank lines (the totals of the progress), in one more pass over the source."""
    return sum(1 for line in source() if line.strip())


class FactsSpool:
    """(line number, PersonFacts) written in line order to a temporary file, read back once in that order."""

    def __init__(self):
        self.file = tempfile.TemporaryFile(prefix="agir-import-facts-")  # noqa: SIM115 (closed by close())
        self.buffer: list[tuple] = []
        self.count = 0

    def add(self, number: int, facts: PersonFacts) -> None:
        """Keep the facts of a line (lines come in increasing order)."""
        self.buffer.append((number, tuple((a.kind, a.is_eligible, a.is_priority, tuple(a.reasons), a.current_end)
                                          for a in facts.accompaniments), tuple(facts.referral_states)))
        self.count += 1
        if len(self.buffer) >= SPOOL_BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.buffer:
            pickle.dump(self.buffer, self.file, pickle.HIGHEST_PROTOCOL)
            self.buffer = []

    def __iter__(self) -> Iterator[tuple[int, PersonFacts]]:
        """The facts in the order they were added (from the start of the file)."""
        self._flush()
        self.file.seek(0)
        while True:
            try:
                batch = pickle.load(self.file)  # noqa: S301 (our own temporary file)
            except EOFError:
                return
            for number, accompaniments, states in batch:
                yield number, PersonFacts([AccompanimentFacts(kind, eligible, priority, list(reasons), end)
                                           for kind, eligible, priority, reasons, end in accompaniments],
                                          list(states))

    def close(self) -> None:
        """Remove the temporary file."""
        self.file.close()
