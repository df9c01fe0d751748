"""Differential test: restwright's response parser against h11, a second strict parser.

Hypothesis builds responses from well-formed parts and mutates them (numbers that are not
plain digits, odd transfer codings, stray whitespace, control bytes, obs-fold, bare LF,
duplicate lengths, short bodies), splits them into random reads and feeds the same bytes
to both parsers, then the end of the connection.  They must agree on accept/reject, and
on the status, reason, header fields and body when both accept.

Where RFC 9112 lets a recipient refuse what h11 accepts, restwright (llhttp) refuses; each
such case is named in :data:`STRICTER` and the generator marks the responses that carry
one.  Only then may restwright refuse a response h11 accepts; restwright may never accept
what h11 refuses.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import h11
from hypothesis import given, settings
from hypothesis import strategies as st

from restwright.errors import TransportError
from restwright.transports.http11 import ResponseParser, frame_chunk

#: Where restwright is stricter than h11, and the RFC 9112 text that allows it.
STRICTER = {
    "obs-fold": "§5.2: obsolete line folding; llhttp refuses it instead of joining it",
    "duplicate-length": "RFC 9110 §8.6: a recipient MAY reject repeated identical lengths",
    "bare-lf": "§2.2: a recipient MAY (not must) accept a bare LF as a line end",
    "control-in-value": "§5.5: field values are VCHAR / obs-text / SP / HTAB, never CTL",
    "chunk-size-space": "§7.1: whitespace may follow a chunk size only before a ';'",
    "other-version": "§2.3: restwright speaks HTTP/1.0 and 1.1; h11 takes any HTTP/x.y",
}


@dataclass
class Case:
    raw: bytes
    stricter: set[str] = field(default_factory=set)


LENGTH_FORMS = ["{n}", "{n}", "{n}", "0{n}", "+{n}", "{n}_0", "0x{n:x}", "{n}, {n}", "-1", " {n}"]
TE_FORMS = ["chunked", "chunked", "Chunked", "xchunked", "gzip, chunked", "identity", "chunked,"]
SIZE_FORMS = ["{s:x}", "{s:x}", "{s:X}", "00{s:x}", "{s:x};ext=1", "0x{s:x}", "+{s:x}", "{s:x} "]
VALUE_CHARS = "abc XYZ019:;,=\t\x00\x01\x7f\x80\xe9"


@st.composite
def responses(draw: st.DrawFn) -> Case:
    case = Case(b"")
    version = draw(st.sampled_from(["HTTP/1.1"] * 4 + ["HTTP/1.0", "HTTP/1.2", "HTTP/2.0"]))
    if version in ("HTTP/1.2", "HTTP/2.0"):
        case.stricter.add("other-version")
    status = draw(
        st.one_of(
            st.integers(200, 599).map(str),
            st.sampled_from(["204", "304", "2_00", "+200", "20", "2000", " 200", "099"]),
        )
    )
    reason = draw(st.sampled_from(["OK", "", "Not Found", "O\tK", "\xd6kay"]))
    body = draw(st.binary(max_size=200))
    framing = draw(st.sampled_from(["length", "chunked", "close", "both"]))
    eol = "\n" if draw(st.integers(0, 9)) == 0 else "\r\n"
    if eol == "\n":
        case.stricter.add("bare-lf")

    lines: list[str] = []
    if framing in ("length", "both"):
        form = draw(st.sampled_from(LENGTH_FORMS))
        n = len(body) + draw(st.sampled_from([0, 0, 0, 0, 1, -1]))
        lines.append(f"Content-Length: {form.format(n=max(n, 0))}")
        if form == "{n}, {n}":
            case.stricter.add("duplicate-length")
        if draw(st.integers(0, 9)) == 0:
            lines.append(lines[-1])
            case.stricter.add("duplicate-length")
    if framing in ("chunked", "both"):
        lines.append(f"Transfer-Encoding: {draw(st.sampled_from(TE_FORMS))}")
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(["X-A", "x-b", "Content-Type", "X A", "X\t", "", "X-C "]))
        value = draw(st.text(alphabet=VALUE_CHARS, max_size=8))
        if any(c in value for c in "\x01\x7f"):
            case.stricter.add("control-in-value")
        lines.insert(draw(st.integers(0, len(lines))), f"{name}: {value}")
    if lines and draw(st.integers(0, 9)) == 0:
        lines.insert(draw(st.integers(1, len(lines))), " folded")
        case.stricter.add("obs-fold")

    head = eol.join([f"{version} {status} {reason}" if reason else f"{version} {status}", *lines])
    raw = (head + eol + eol).encode("latin-1")
    if draw(st.integers(0, 4)) == 0:
        raw = b"HTTP/1.1 100 Continue\r\n\r\n" + raw
    if framing in ("chunked", "both"):
        sizes = draw(st.lists(st.integers(1, 80), max_size=4))
        pos = 0
        for size in sizes:
            piece = body[pos : pos + size]
            if not piece:
                break
            form = draw(st.sampled_from(SIZE_FORMS))
            if form.endswith(" "):
                case.stricter.add("chunk-size-space")
            raw += form.format(s=len(piece)).encode() + b"\r\n" + piece + b"\r\n"
            pos += len(piece)
        if pos < len(body):
            raw += frame_chunk(body[pos:])
        raw += b"0\r\n" + draw(st.sampled_from([b"", b"X-T: 1\r\n"])) + b"\r\n"
    else:
        raw += body
    if draw(st.integers(0, 9)) == 0:
        raw = raw[: draw(st.integers(0, len(raw)))]  # cut short
    case.raw = raw
    return case


def pieces(raw: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(raw) + 1) for c in cuts} | {0, len(raw)})
    return [raw[a:b] for a, b in itertools.pairwise(points)]


#: A verdict: accepted, status, reason, header fields (lower-cased names), body.
Verdict = tuple[bool, int, str, list[tuple[str, str]], bytes]
REFUSED: Verdict = (False, 0, "", [], b"")


def comparable(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Names lower-cased, and Transfer-Encoding values too (h11 lower-cases them)."""
    out = []
    for name, value in fields:
        name = name.lower()
        out.append((name, value.lower() if name == "transfer-encoding" else value))
    return out


def restwright_verdict(parts: list[bytes]) -> Verdict:
    parser = ResponseParser()
    body: list[bytes] = []
    try:
        for part in parts:
            body += parser.feed(part)
        parser.feed_eof()
    except TransportError:
        return REFUSED
    if not parser.complete:
        return REFUSED
    fields = comparable(parser.headers.raw())
    return True, parser.status_code, parser.reason, fields, b"".join(body)


def h11_verdict(parts: list[bytes]) -> Verdict:
    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method="GET", target="/", headers=[("Host", "127.0.0.1")]))
    conn.send(h11.EndOfMessage())
    status, reason, fields, body = 0, "", [], []
    try:
        for part in [*parts, b""]:  # b"": the server closed the connection
            conn.receive_data(part)
            while (event := conn.next_event()) is not h11.NEED_DATA:
                if isinstance(event, h11.Response):
                    status, reason = event.status_code, event.reason.decode("latin-1")
                    fields = comparable(
                        [(k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers]
                    )
                elif isinstance(event, h11.Data):
                    body.append(bytes(event.data))
                elif isinstance(event, h11.EndOfMessage):
                    return True, status, reason, fields, b"".join(body)
                elif isinstance(event, h11.ConnectionClosed):
                    return REFUSED
    except h11.RemoteProtocolError:
        return REFUSED
    return REFUSED


@settings(max_examples=1500, deadline=None)
@given(case=responses(), cuts=st.lists(st.integers(0, 2000), max_size=6))
def test_restwright_and_h11_agree(case: Case, cuts: list[int]):
    parts = pieces(case.raw, cuts)
    ours, theirs = restwright_verdict(parts), h11_verdict(parts)
    if theirs[0] and not ours[0]:
        assert case.stricter, f"refused what h11 accepts: {case.raw!r}"
        return
    assert ours == theirs, case.raw


def test_every_stricter_rule_is_met():
    """Each documented refusal happens on a response h11 accepts (so none is dead)."""
    ok = b"Content-Length: 2\r\n\r\nok"
    samples = {
        "obs-fold": b"HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\n" + ok,
        "duplicate-length": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + ok,
        "bare-lf": b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
        "control-in-value": b"HTTP/1.1 200 OK\r\nX-A: a\x7fb\r\n" + ok,
        "other-version": b"HTTP/1.2 200 OK\r\n" + ok,
        "chunk-size-space": (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 \r\nok\r\n0\r\n\r\n"
        ),
    }
    assert set(samples) == set(STRICTER)
    for name, raw in samples.items():
        assert h11_verdict([raw])[:2] + h11_verdict([raw])[4:] == (True, 200, b"ok"), name
        assert restwright_verdict([raw])[0] is False, name
