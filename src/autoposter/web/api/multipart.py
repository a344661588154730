"""Read a ``multipart/form-data`` request with its files streamed straight to disk.

Starlette's own form parsing spools files through temporary files and has no limit on their
size; an upload of a few GB must instead go to its final place chunk by chunk, and stop with
a 413 the moment it passes ``upload_max_bytes`` (announced or not). Each file part becomes an
:class:`~autoposter.posts.uploads.IncomingFile`; on any failure every file received so far is
deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from ...accounts import Context
from ...posts.uploads import IncomingFile, UploadTooLarge, discard, incoming_file
from .errors import ApiError

MAX_FIELDS = 64
MAX_FIELD_BYTES = 64 * 1024
# Headers and boundaries around the files; a body announcing more than the limit plus this
# is refused before a byte of it is read.
FORM_OVERHEAD = 1024 * 1024


@dataclass
class ReceivedForm:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[IncomingFile] = field(default_factory=list)


class _FormReader:
    """The parser's callbacks: plain fields into memory (bounded), files onto disk."""

    def __init__(self, ctx: Context, file_fields: set[str], max_files: int) -> None:
        self.ctx = ctx
        self.file_fields = file_fields
        self.max_files = max_files
        self.max_bytes = ctx.settings.upload_max_bytes
        self.form = ReceivedForm()
        self.file_bytes = 0
        self.ended = False
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._name = ""
        self._value = bytearray()
        self._file: IO[bytes] | None = None

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self._disposition, self._name, self._value = b"", "", bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        if b"name" not in options:
            raise _malformed("a part of the form has no name (Content-Disposition: form-data)")
        self._name = options[b"name"].decode("utf-8", "replace")
        if self._name in self.file_fields:
            self._open_file(options.get(b"filename", b"").decode("utf-8", "replace"))
        elif b"filename" in options:
            expected = " or ".join(sorted(self.file_fields)) or "no files"
            raise _malformed(f"files go in the field {expected}, not {self._name!r}")
        elif sum(len(v) for v in self.form.fields.values()) >= MAX_FIELDS:
            raise _malformed(f"the form has more than {MAX_FIELDS} fields")

    def _open_file(self, filename: str) -> None:
        if len(self.form.files) >= self.max_files:
            raise _malformed(f"send at most {self.max_files} file(s) in one request")
        incoming = incoming_file(self.ctx, filename)
        self.form.files.append(incoming)
        self._file = incoming.path.open("wb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._file is not None:
            self.file_bytes += end - start
            if self.file_bytes > self.max_bytes:
                raise too_large(self.max_bytes)
            # Small writes into the page cache: cheaper than a thread hop per chunk.
            self._file.write(data[start:end])
            return
        self._value += data[start:end]
        if len(self._value) > MAX_FIELD_BYTES:
            raise _malformed(f"the field {self._name!r} is longer than {MAX_FIELD_BYTES} bytes")

    def on_part_end(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            return
        text = self._value.decode("utf-8", "replace")
        self.form.fields.setdefault(self._name, []).append(text)

    def on_end(self) -> None:
        self.ended = True

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


async def receive_form(
    request: Request, ctx: Context, *, file_fields: set[str], max_files: int
) -> ReceivedForm:
    """The request's form; its files already on disk (the caller registers or discards
    them). 413 past ``upload_max_bytes``; 422 for a form that cannot be read."""
    boundary = _boundary(request)
    limit = ctx.settings.upload_max_bytes
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > limit + FORM_OVERHEAD:
        raise too_large(limit)
    reader = _FormReader(ctx, file_fields, max_files)
    try:
        parser = MultipartParser(boundary, reader.callbacks())  # type: ignore[arg-type]
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        if not reader.ended:
            raise _malformed("the form ends before its closing boundary: was the upload cut off?")
    except BaseException as exc:  # a bad form, the limit, a disconnect: keep no file
        reader.close()
        discard(ctx, reader.form.files)
        if isinstance(exc, FormParserError):
            raise _malformed(f"the form cannot be read ({exc})") from None
        raise
    return reader.form


def _boundary(request: Request) -> bytes:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise ApiError(
            415,
            "unsupported_media",
            "Send the upload as multipart/form-data (e.g. curl -F file=@clip.mp4).",
        )
    return boundary


def too_large(limit: int) -> UploadTooLarge:
    return UploadTooLarge(
        f"The upload is larger than this server takes ({limit:,} bytes, "
        "AUTOPOSTER_UPLOAD_MAX_BYTES): send a smaller file, or ask the operator to raise it."
    )


def _malformed(message: str) -> ApiError:
    return ApiError(422, "invalid_input", f"The form is not valid: {message}.")
