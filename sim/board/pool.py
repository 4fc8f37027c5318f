"""Re-play off the event loop: a supervised pool of worker processes, and the queue that feeds it in batches.

`Verifier` takes checked records one by one, groups what waits into batches (big ones under a burst,
single records when quiet) and hands each batch to a `Replayer`. `ProcessPool` is the real one: worker
processes (sim.board.worker) it starts, watches and replaces; a batch whose worker died is re-tried on
the replacement, and a batch that kills workers twice is split until the record that does it is alone
(refused; the others go through). `ThreadReplayer` runs batches in threads (tests, no processes).
"""

from __future__ import annotations

import asyncio
import math
import os
import signal
import sys
import time
from typing import Callable, Protocol

from sim.board.worker import HEADER, MAX_FRAME, encode_frame

MAX_CHUNK = 128  # records one worker re-plays in one go (in lockstep through the batched engine)
LINGER_S = 0.01
MAX_LINGER_S = 0.1  # the longest a record waits for the rest of its burst
START_TIMEOUT_S = 60.0  # a cold worker imports numpy and parses every case
RESTART_DELAY_S = 1.0  # between failed attempts to start a replacement


class WorkerDied(Exception):
    """The worker re-playing a batch stopped before answering."""


class PoolUnavailable(Exception):
    """No worker can be had (none could be started); str(err) says why."""


class QueueFull(Exception):
    """Too many records wait for re-play; the client should come back later."""


class Replayer(Protocol):
    size: int

    async def start(self) -> None: ...

    async def run(self, records: list[dict]) -> list[dict]:
        """Outcomes of a batch (see sim.board.verify.verify_chunk); raises WorkerDied or PoolUnavailable."""

    async def experts(self, jobs: list[list]) -> list[dict]:
        """The expert's run for each [case, case hash, seed] (sim.board.verify.expert_chunk); raises as `run`."""

    def health(self) -> dict: ...

    async def stop(self) -> None: ...


def _ended(code: int | None) -> str:
    if code is None:
        return "stopped answering"
    if code < 0:
        try:
            return f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


class _Worker:
    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc
        self.pid = proc.pid
        self.busy_with = 0  # records in the batch it is re-playing

    @classmethod
    async def start(cls, env: dict | None) -> "_Worker":
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "sim.board.worker", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, env=env, start_new_session=True)  # Ctrl+C in the terminal is ours
        worker = cls(proc)
        try:
            ready = await asyncio.wait_for(worker._read(), START_TIMEOUT_S)
        except (WorkerDied, asyncio.TimeoutError):
            code = await worker.ended()
            raise WorkerDied(f"a new re-play worker {_ended(code)} while starting") from None
        if not isinstance(ready, dict) or "ready" not in ready:
            worker.kill()
            raise WorkerDied("a new re-play worker said something else than that it was ready")
        return worker

    async def _read(self):
        import json

        try:
            header = await self.proc.stdout.readexactly(HEADER.size)
            (size,) = HEADER.unpack(header)
            if size > MAX_FRAME:
                raise WorkerDied(f"worker {self.pid} sent a frame of {size} bytes")
            data = await self.proc.stdout.readexactly(size)
        except (asyncio.IncompleteReadError, ConnectionError) as err:
            raise WorkerDied(str(err)) from None
        if size < 65536:
            return json.loads(data)
        # A big batch's answer takes milliseconds to decode: in a thread, so the loop can answer in between.
        return await asyncio.get_running_loop().run_in_executor(None, json.loads, data)

    async def run(self, work: list | dict, count: int) -> list[dict]:
        """Send one frame of work (a batch of records, or {"experts": jobs}); its `count` outcomes."""
        self.busy_with = count
        try:
            self.proc.stdin.write(encode_frame(work))
            await self.proc.stdin.drain()
            outcomes = await self._read()
        except (ConnectionError, BrokenPipeError) as err:
            raise WorkerDied(str(err)) from None
        finally:
            self.busy_with = 0
        if not isinstance(outcomes, list) or len(outcomes) != count:
            raise WorkerDied(f"worker {self.pid} answered a batch of {count} with something else")
        return outcomes

    def alive(self) -> bool:
        return self.proc.returncode is None

    async def ended(self) -> int | None:
        """How it ended. Killed only if it lingers: kill() polls, and a poll here would take the exit status
        from asyncio's child watcher (it would then report 255 instead of the real cause)."""
        try:
            return await asyncio.wait_for(asyncio.shield(self.proc.wait()), 2.0)
        except asyncio.TimeoutError:
            self.kill()
            await self.proc.wait()
            return None

    def kill(self) -> None:
        if self.proc.returncode is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass


class ProcessPool:
    """`size` worker processes; a dead one is replaced (and the console told) before its batch is re-tried."""

    def __init__(self, size: int, say: Callable[[str], None], env: dict | None = None):
        self.size = max(1, size)
        self.say, self.env = say, env
        self.workers: list[_Worker] = []
        self.idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self.restarts = 0
        self.starting = 0
        self.problem: str | None = None  # why a replacement could not be started, while that lasts
        self._stopping = False
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> None:
        workers = await asyncio.gather(*(_Worker.start(self.env) for _ in range(self.size)))
        for worker in workers:
            self.workers.append(worker)
            self.idle.put_nowait(worker)

    async def run(self, records: list[dict]) -> list[dict]:
        return await self._on_worker(records, len(records), f"re-playing {len(records)} result(s)")

    async def experts(self, jobs: list[list]) -> list[dict]:
        return await self._on_worker({"experts": jobs}, len(jobs), f"playing the expert on {len(jobs)} seed(s)")

    async def _on_worker(self, work, count: int, doing: str) -> list[dict]:
        worker = await self._idle_worker()
        try:
            outcomes = await worker.run(work, count)
        except WorkerDied:
            code = await worker.ended()
            self.workers.remove(worker)
            self.restarts += 1
            self.say(f"Re-play worker {worker.pid} {_ended(code)} while {doing}; "
                     "starting another in its place and re-trying them.")
            self._spawn(self._replace())
            raise
        self.idle.put_nowait(worker)
        return outcomes

    async def _idle_worker(self) -> _Worker:
        while True:
            if not any(w.alive() for w in self.workers) and self.problem:
                raise PoolUnavailable(self.problem)
            try:
                worker = await asyncio.wait_for(self.idle.get(), 1.0)
            except asyncio.TimeoutError:
                continue
            if worker.alive():
                return worker
            # Died while idle (killed from outside): replace it, then look again.
            if worker in self.workers:
                self.workers.remove(worker)
                self.restarts += 1
                self.say(f"Re-play worker {worker.pid} {_ended(worker.proc.returncode)} while idle; "
                         "starting another in its place.")
                self._spawn(self._replace())

    async def _replace(self) -> None:
        self.starting += 1
        try:
            while not self._stopping:
                try:
                    worker = await _Worker.start(self.env)
                except (WorkerDied, OSError) as err:
                    self.problem = f"no re-play worker could be started ({err})"
                    self.say(f"{self.problem}; trying again in {RESTART_DELAY_S:g} s.")
                    await asyncio.sleep(RESTART_DELAY_S)
                    continue
                if self.problem:
                    self.say("Re-play workers start again.")
                self.problem = None
                self.workers.append(worker)
                self.idle.put_nowait(worker)
                return
        finally:
            self.starting -= 1

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def health(self) -> dict:
        alive = [w for w in self.workers if w.alive()]
        return {"kind": "processes", "size": self.size, "alive": len(alive), "starting": self.starting,
                "busy": sum(1 for w in alive if w.busy_with), "pids": [w.pid for w in alive],
                "busy_pids": [w.pid for w in alive if w.busy_with], "restarts": self.restarts,
                "problem": self.problem}

    async def stop(self) -> None:
        self._stopping = True
        for task in list(self._tasks):
            task.cancel()
        for worker in self.workers:
            if worker.proc.stdin is not None:
                worker.proc.stdin.close()  # a worker ends when its stdin does
        deadline = time.monotonic() + 3.0
        for worker in self.workers:
            try:
                await asyncio.wait_for(worker.proc.wait(), max(0.1, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                worker.kill()
                await worker.proc.wait()


class ThreadReplayer:
    """Batches re-played in an executor's threads (the tests' light-weight pool; one process, no supervision)."""

    def __init__(self, executor, size: int = 1):
        self.executor, self.size = executor, size
        self.busy = 0

    async def start(self) -> None:
        pass

    async def run(self, records: list[dict]) -> list[dict]:
        from sim.board import verify

        self.busy += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, verify.verify_chunk, records)
        finally:
            self.busy -= 1

    async def experts(self, jobs: list[list]) -> list[dict]:
        from sim.board import verify

        return await asyncio.get_running_loop().run_in_executor(self.executor, verify.expert_chunk, jobs)

    def health(self) -> dict:
        return {"kind": "threads", "size": self.size, "alive": self.size, "busy": self.busy, "restarts": 0}

    async def stop(self) -> None:
        pass


class Verifier:
    """A bounded queue of checked records and one dispatcher per replayer slot."""

    def __init__(self, replayer: Replayer, queue_limit: int = 2000):
        self.replayer = replayer
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=max(1, queue_limit))
        self.in_replay = 0
        self.replayed = 0  # results this process re-played (accepted or refused), for /healthz
        self.idle = 0  # dispatchers waiting for a record
        self.lingering = 0  # dispatchers holding a record while more of a burst arrives
        self.tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self.tasks = [asyncio.ensure_future(self._dispatch()) for _ in range(self.replayer.size)]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def submit(self, record: dict) -> asyncio.Future:
        """The future of a record's outcome; raises QueueFull when the queue is at its limit."""
        future = asyncio.get_running_loop().create_future()
        try:
            self.queue.put_nowait((record, future))
        except asyncio.QueueFull:
            raise QueueFull(f"{self.queue.maxsize} results wait for re-play") from None
        return future

    def health(self) -> dict:
        return {"waiting": self.queue.qsize(), "limit": self.queue.maxsize, "in_replay": self.in_replay,
                "replayed": self.replayed}

    async def _dispatch(self) -> None:
        while True:
            self.idle += 1
            try:
                chunk = [await self.queue.get()]
            finally:
                self.idle -= 1
            if self.queue.empty():
                # A burst arrives over a few milliseconds: wait for company while it keeps coming (up to
                # MAX_LINGER_S), since one record costs a worker about as much as a dozen re-played together
                # (lockstep through the batched engine). When quiet, nothing comes and one linger is all.
                self.lingering += 1
                try:
                    waited, seen = 0.0, -1
                    while waited < MAX_LINGER_S and self.queue.qsize() > seen:
                        seen = self.queue.qsize()
                        await asyncio.sleep(LINGER_S)
                        waited += LINGER_S
                finally:
                    self.lingering -= 1
            # Share what is waiting among the slots free to take it (a busy one cannot; one still lingering
            # will take its share): big batches under a burst, single records when quiet.
            want = min(MAX_CHUNK, math.ceil((1 + self.queue.qsize()) / (1 + self.idle + self.lingering)))
            while len(chunk) < want and not self.queue.empty():
                chunk.append(self.queue.get_nowait())
            chunk = [(r, f) for r, f in chunk if not f.done()]  # a client that gave up needs no re-play
            if not chunk:
                continue
            self.in_replay += len(chunk)
            try:
                outcomes = await self._run([r for r, _ in chunk])
            finally:
                self.in_replay -= len(chunk)
            self.replayed += len(outcomes)
            for (_, future), outcome in zip(chunk, outcomes):
                if not future.done():
                    future.set_result(outcome)

    async def _run(self, records: list[dict], retried: bool = False) -> list[dict]:
        try:
            return await self.replayer.run(records)
        except WorkerDied:
            if not retried:  # the worker died under it: once more, on the replacement
                return await self._run(records, True)
            if len(records) == 1:
                return [{"error": "re-playing this result stopped the re-play process twice, so it was refused"}]
            half = len(records) // 2  # split to find the record that kills workers; the rest go through
            return await self._run(records[:half], True) + await self._run(records[half:], True)
        except PoolUnavailable as err:
            return [{"unavailable": f"the server cannot re-play results now ({err}); try again"}] * len(records)
        except Exception as err:  # noqa: BLE001 - the dispatcher must outlive any batch
            if len(records) > 1:
                return [(await self._run([record], retried))[0] for record in records]
            return [{"error": f"the result could not be re-played ({type(err).__name__})"}]


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))
