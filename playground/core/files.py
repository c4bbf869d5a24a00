"""Reading the user's files with one clear message for each way a read can fail (InputError), and
showing paths the way the user knows them. Light: the TUI imports it before its first frame."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A file that is missing, unreadable or malformed. `str()` is the one-line user message."""

    def __init__(self, message: str, *, path: str | Path | None = None,
                 line: int | None = None, column: int | None = None, key: str | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.key = key
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or ""
        if self.path and self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        key = f" key '{self.key}':" if self.key else ""
        return f"{where}:{key} {self.message}" if where else f"{key.strip()} {self.message}".strip()


def read_text(path: str | Path, what: str, error: type[InputError] = InputError,
              missing: str = "no such file") -> str:
    """The UTF-8 text of `path`; `error` (an InputError) naming the file when it cannot be read."""
    path = Path(path)
    where = shown_path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(missing, path=where) from None
    except IsADirectoryError:
        raise error(f"is a folder, not {what}", path=where) from None
    except UnicodeDecodeError:
        raise error("cannot read: not UTF-8 text", path=where) from None
    except OSError as failure:
        raise error(f"cannot read: {failure.strerror or failure}", path=where) from None


def demo_session_path() -> Path | None:
    """The bundled demo session: in the working folder's fixtures/, else beside the package."""
    for candidate in (Path.cwd() / "fixtures" / "weather.yaml",
                      Path(__file__).resolve().parents[2] / "fixtures" / "weather.yaml"):
        if candidate.is_file():
            return candidate
    return None


def shown_path(path: str | Path) -> str:
    """A path as the user knows it: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)
