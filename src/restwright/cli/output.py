"""What the command line prints: bodies, items, tables, headers, curl commands, progress.

Why it looks at the terminal: on a TTY people read, so JSON is indented and coloured and
lists can be tables (rich); in a pipe programs read, so JSON is plain and ``--all`` writes
one item per line.  rich is imported only when something is drawn on a terminal, which
keeps ``restwright get URL | jq`` from paying for it.  Progress bars go to stderr, only
when stderr is a terminal and ``-q`` was not given.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

from ..engine.pagination import page_items

if TYPE_CHECKING:
    from ..engine.models import Request, Response
    from .options import Settings

__all__ = ["Output", "ProgressReader", "ProgressWriter", "TrackedBody", "Tracker", "media_type"]

_TABLE_COLUMNS = 12
_CELL_WIDTH = 60


def media_type(response: Response) -> str:
    """The response's media type, lower case, without parameters."""
    return (response.headers.get("content-type") or "").split(";", 1)[0].strip().lower()


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


class Tracker:
    """Counts bytes or items for a progress bar; this base class draws nothing."""

    def advance(self, amount: int) -> None:
        """``amount`` more bytes (or items) are done."""

    def expect(self, total: int) -> None:
        """The total became known (a download's ``Content-Length``, once its head came)."""

    def restart(self) -> None:
        """Count from zero again (an upload sent anew, after a reset or a 307)."""

    def tracked(self, body: Any) -> TrackedBody:
        """``body`` (an iterable of bytes), counted as it is consumed."""
        return TrackedBody(body, self)


class TrackedBody:
    """A request body counted by a :class:`Tracker` as it goes out.

    Why not a generator: it would be spent by the first attempt, and the engine would
    refuse to retry the upload or follow a 307.  This body is exactly as replayable as the
    one it wraps (a file body, a multipart body); each new pass restarts the count.
    """

    def __init__(self, body: Any, tracker: Tracker) -> None:
        self._body = body
        self._tracker = tracker
        self._passes = 0

    @property
    def replayable(self) -> bool:
        return bool(getattr(self._body, "replayable", False))

    def __iter__(self) -> Iterator[bytes]:
        if self._passes:
            self._tracker.restart()
        self._passes += 1
        for chunk in self._body:
            self._tracker.advance(len(chunk))
            yield chunk


class _RichTracker(Tracker):
    def __init__(self, progress: Any, task: Any) -> None:
        self._progress = progress
        self._task = task

    def advance(self, amount: int) -> None:
        self._progress.advance(self._task, amount)

    def expect(self, total: int) -> None:
        self._progress.update(self._task, total=total)

    def restart(self) -> None:
        self._progress.update(self._task, completed=0)


class ProgressWriter:
    """A binary file that counts what is written into it (``download_to=`` takes it)."""

    def __init__(self, file: IO[bytes], tracker: Tracker) -> None:
        self._file = file
        self._tracker = tracker

    def write(self, data: bytes) -> int:
        self._tracker.advance(len(data))
        return self._file.write(data)

    def flush(self) -> None:
        self._file.flush()


class ProgressReader:
    """A binary file whose reads are counted: a file field or a raw body of a described
    call (the engine still sees a seekable file with a descriptor, so it sends a
    ``Content-Length`` and seeks back to resend it after a reset or a 307)."""

    def __init__(self, file: IO[bytes], tracker: Tracker) -> None:
        self._file = file
        self._tracker = tracker
        self.name = file.name

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self._tracker.advance(len(data))
        return data

    def seekable(self) -> bool:
        return self._file.seekable()

    def seek(self, offset: int, whence: int = 0) -> int:
        # the engine seeks back to resend the file (a retry, a 307): count that back too
        before = self._file.tell()
        position = self._file.seek(offset, whence)
        self._tracker.advance(position - before)
        return position

    def tell(self) -> int:
        return self._file.tell()

    def fileno(self) -> int:
        return self._file.fileno()


class Output:
    """Prints what one command produced, the way :class:`Settings` and the terminal ask."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stdout_is_tty = sys.stdout.isatty()
        # colours and bars need rich (the cli extra); without it the output stays plain
        self.styled = self.stdout_is_tty and _rich_installed()
        self.draws_progress = sys.stderr.isatty() and not settings.quiet and _rich_installed()
        self._console: Any = None

    # -- terminals ----------------------------------------------------------------------
    def console(self) -> Any:
        """The rich console of stdout (imported on first use)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(soft_wrap=True)
        return self._console

    @contextmanager
    def progress(
        self, description: str, total: int | None, *, unit: str = "bytes"
    ) -> Iterator[Tracker]:
        """A progress bar on stderr while the block runs (when stderr is a terminal)."""
        if not self.draws_progress:
            yield Tracker()
            return
        from rich import progress as bars
        from rich.console import Console

        columns: list[Any] = [bars.TextColumn("{task.description}"), bars.BarColumn()]
        if unit == "bytes":
            columns += [bars.DownloadColumn(), bars.TransferSpeedColumn()]
        else:
            columns.append(bars.TextColumn("{task.completed:.0f} " + unit))
        columns.append(bars.TimeElapsedColumn())
        with bars.Progress(*columns, console=Console(stderr=True)) as bar:
            yield _RichTracker(bar, bar.add_task(description, total=total))

    # -- what gets printed ---------------------------------------------------------------
    def curl(self, request: Request) -> None:
        """A dry run's request as a curl command (credentials masked by the engine)."""
        sys.stdout.write(request.to_curl() + "\n")

    def headers(self, response: Response) -> None:
        """The status line and headers (masked cookies, as the engine's redaction does)."""
        shown = response.redacted()
        lines = [f"{shown.http_version} {shown.status_code} {shown.reason}"]
        lines += [f"{name}: {value}" for name, value in shown.headers.raw()]
        if self.styled:
            from rich.text import Text

            console = self.console()
            console.print(Text(lines[0], style="bold cyan"))
            for line in lines[1:]:
                name, _, value = line.partition(": ")
                console.print(Text.assemble((name, "cyan"), ": ", value))
            console.print()
        else:
            sys.stdout.write("\n".join(lines) + "\n\n")

    def response(self, response: Response) -> None:
        """A response: its headers if asked, then its body as the settings say."""
        if self.settings.show_headers or response.request.method == "HEAD":
            self.headers(response)
        content = response.content
        if self.settings.raw:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
            return
        if not content:
            return
        media = media_type(response)
        if _is_json(media):
            self.data(response.json())
        elif media.startswith("text/") or media in ("application/xml", "application/yaml"):
            sys.stdout.write(
                response.text if response.text.endswith("\n") else response.text + "\n"
            )
        elif self.stdout_is_tty:
            sys.stderr.write(
                f"restwright: a {media or 'binary'} body of {len(content)} bytes is not shown "
                "on a terminal; use -o FILE or --raw\n"
            )
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()

    def data(self, value: Any) -> None:
        """Decoded JSON: a table (``--table``), coloured JSON (a TTY) or plain JSON."""
        if self.settings.table:
            rows = value if isinstance(value, list) else page_items(value, None)
            if rows or isinstance(value, list):
                self.table(rows)
                return
        if self.styled:
            self.console().print_json(data=value)
        else:
            sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")

    def item(self, value: Any) -> None:
        """One item of ``--all``: one line of JSON, flushed so a pipe sees it at once."""
        sys.stdout.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n")
        sys.stdout.flush()

    def all_items(self, items: Iterable[Any]) -> None:
        """``--all``: every item as a JSON line as it arrives (an item count on stderr);
        with ``--table``, one table once the last page arrived."""
        collected: list[Any] = []
        with self.progress("items", None, unit="items") as tracker:
            for value in items:
                tracker.advance(1)
                if self.settings.table:
                    collected.append(value)
                else:
                    self.item(value)
        if self.settings.table:
            self.table(collected)

    def table(self, rows: list[Any]) -> None:
        """Rows as a rich table: one column per key (first seen first), nested values as
        compact JSON, long cells cut; cells are plain text (a server's ``[bold]`` is not
        rich markup)."""
        if not _rich_installed():
            import click

            raise click.UsageError("--table draws with rich: pip install 'restwright[cli]'")
        from rich.table import Table
        from rich.text import Text

        columns: list[str] = []
        for row in rows:
            for key in row if isinstance(row, dict) else ("value",):
                if key not in columns and len(columns) < _TABLE_COLUMNS:
                    columns.append(key)
        table = Table(header_style="bold")
        for column in columns:
            table.add_column(Text(str(column)))
        for row in rows:
            cells = row if isinstance(row, dict) else {"value": row}
            table.add_row(*(Text(_cell(cells.get(column))) for column in columns))
        self.console().print(table)


@functools.lru_cache(maxsize=1)
def _rich_installed() -> bool:
    from importlib.util import find_spec

    return find_spec("rich") is not None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _CELL_WIDTH else text[: _CELL_WIDTH - 1] + "…"
