"""What was published where: the manifest kept on the target and the local journal.

The manifest (`.fedpress-manifest.json` at the target's root) lists every file fedpress
put there with its SHA-256 and size. It decides what has changed, and it bounds
deletions: a file it does not list is never deleted. The journal (under the site's
`.cache/deploy/`) records each file the moment it arrived, so a deploy cut off half-way
resumes without sending those files again.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__

MANIFEST = ".fedpress-manifest.json"
TEMP_SUFFIX = ".fedpress-tmp"  # uploads go to ".<name>.fedpress-tmp" and are renamed into place
_FORMAT = 1


@dataclass(frozen=True)
class Entry:
    sha256: str
    size: int


@dataclass
class Manifest:
    """path -> Entry of what is on the target; `readable` is False when the stored one was damaged."""

    files: dict[str, Entry] = field(default_factory=dict)
    readable: bool = True

    @classmethod
    def parse(cls, data: bytes | None) -> Manifest:
        if data is None:
            return cls()
        try:
            raw = json.loads(data.decode("utf-8"))
            files = {str(path): Entry(str(digest), int(size)) for path, (digest, size) in raw["files"].items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            return cls(readable=False)
        return cls(files)

    def to_bytes(self) -> bytes:
        """JSON with one line per file, so a person can read it and a diff shows what changed."""
        header = {"format": _FORMAT, "generator": f"fedpress {__version__}", "published": datetime.now(UTC).isoformat(timespec="seconds")}
        lines = [f"{json.dumps(path, ensure_ascii=False)}: {json.dumps([entry.sha256, entry.size])}" for path, entry in sorted(self.files.items())]
        return (json.dumps(header, ensure_ascii=False)[:-1] + ', "files": {\n' + ",\n".join(lines) + "\n}}\n").encode("utf-8")


class Journal:
    """Append-only local record of the current deploy: one JSON line per file that arrived or was deleted.

    Lines are flushed as they are written, so they survive Ctrl-C or a dropped connection;
    the journal is removed once the manifest on the target has caught up.
    """

    def __init__(self, path: Path, identity: str) -> None:
        self.path = path
        self.identity = identity
        self._handle = None

    def replay(self) -> dict[str, Entry | None]:
        """Files recorded by an earlier, unfinished deploy to this same target (None: deleted)."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return {}
        if not lines or _json(lines[0]).get("target") != self.identity:
            return {}  # written for another target: of no use here
        done: dict[str, Entry | None] = {}
        for line in lines[1:]:
            record = _json(line)
            if "deleted" in record:
                done[str(record["deleted"])] = None
            elif {"path", "sha256", "size"} <= record.keys():
                done[str(record["path"])] = Entry(str(record["sha256"]), int(record["size"]))
            # a last line cut short by the interruption is simply not there
        return done

    def record(self, path: str, entry: Entry | None) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fresh = not self.path.exists() or not self.replay()
            self._handle = self.path.open("w" if fresh else "a", encoding="utf-8")
            if fresh:
                self._write({"target": self.identity})
        self._write({"deleted": path} if entry is None else {"path": path, "sha256": entry.sha256, "size": entry.size})

    def _write(self, record: dict) -> None:
        self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._handle.flush()

    def finish(self) -> None:
        """The target's manifest now holds everything: the journal has done its job."""
        self.close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _json(line: str) -> dict:
    try:
        value = json.loads(line)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
