"""Problems found in a site, collected so an editor sees all of them in one run.

Every problem names the file (relative to the site), the line, the field and says in
Chinese what is wrong and what to do. Nothing here raises on the first problem:
stages add to a `Problems` list and the build stops only between stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class BuildError:
    """One problem in the site's sources."""

    file: str
    line: int
    field: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        location = f"{self.file}:{self.line}" if self.line else self.file
        label = "警告" if self.warning else ""
        parts = [location, self.field, f"{label}{'：' if label else ''}{self.message}"]
        return ": ".join(part for part in parts if part)


@dataclass
class Problems:
    """The errors and warnings of one build, in the order they were found."""

    items: list[BuildError] = field(default_factory=list)

    def error(self, file: str | Path, line: int, field: str, message: str) -> None:
        self.items.append(BuildError(str(file), line, field, message))

    def warn(self, file: str | Path, line: int, field: str, message: str) -> None:
        self.items.append(BuildError(str(file), line, field, message, warning=True))

    def extend(self, other: Problems) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[BuildError]:
        return sorted(p for p in self.items if not p.warning)

    @property
    def warnings(self) -> list[BuildError]:
        return sorted(p for p in self.items if p.warning)

    def __bool__(self) -> bool:
        return any(not p.warning for p in self.items)


class BuildFailed(Exception):
    """Raised between stages when the sources have errors; carries all of them."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(f"{len(problems.errors)} 个错误")
        self.problems = problems
