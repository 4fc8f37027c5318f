"""A re-play worker process (`python -m sim.board.worker`): checked result records in, outcomes out.

The workshop server starts a few of these and talks to each over its stdin/stdout: frames of a 4-byte
big-endian length and UTF-8 JSON. The first frame out says the worker is warm ({"ready": pid}); then
each frame in is a list of records and each frame out the list of their outcomes (sim.board.verify), or
{"experts": [[case, case hash, seed], ...]} and the expert's run on each (played when a ticket is issued).
The worker ends when its stdin closes, so it never outlives the server, even one killed with SIGKILL.

Test hook: with MLSIM_REPLAY_GATE=PATH in the environment, a worker waits before each batch while PATH
exists, so a test can hold re-plays mid-burst and kill a worker (or the server) that is certainly busy.
"""

from __future__ import annotations

import json
import os
import struct
import sys
import time

HEADER = struct.Struct(">I")
MAX_FRAME = 64 * 1024 * 1024
WORKER_NICENESS = 10


def read_frame(stream) -> object | None:
    """One frame from a binary stream, or None at its end."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ValueError(f"a frame of {size} bytes is larger than any batch")
    data = stream.read(size)
    if len(data) < size:
        return None
    return json.loads(data)


def encode_frame(value) -> bytes:
    data = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return HEADER.pack(len(data)) + data


def _wait_at_gate() -> None:
    gate = os.environ.get("MLSIM_REPLAY_GATE")
    while gate and os.path.exists(gate):
        time.sleep(0.02)


def main() -> int:
    import signal

    from sim.board.verify import expert_chunk, verify_chunk, warm_up

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle; it closes our stdin
    try:
        # Re-play is batch work: when the cores are busy with it, the server's answers (pages, health, the
        # learners' submissions waiting to be read) come first, and re-play takes what is left.
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # pragma: no cover - no nice() here
        pass

    # The protocol owns the real stdout; anything else printed (a warning) goes to stderr, the console.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    stdin = sys.stdin.buffer
    out.write(encode_frame({"ready": warm_up()}))
    while True:
        work = read_frame(stdin)
        if work is None:
            return 0
        if isinstance(work, dict):
            out.write(encode_frame(expert_chunk(work.get("experts") or [])))
            continue
        _wait_at_gate()
        out.write(encode_frame(verify_chunk(work)))


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BrokenPipeError:  # the server went away mid-answer: nothing to report
        raise SystemExit(0)
