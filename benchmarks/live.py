"""Live answers under load: clients replaying the shared clip at its real rate over /live.

    python tasks.py bench live [--seconds 30] [--minutes 10] [--clients 1 4]

A real `python -m happysad serve` on 127.0.0.1; each client sends the clip's frames as JPEG at
30 frames a second (the clip again and again) in one thread and reads the answers in another.
Prints, for 1 and 4 clients: frames sent, answered and dropped, the delay from a frame sent to its
answer received (median and p95), and the first and last part's median (is it flat?); the time
from the server's start to its first answer; then a run of --minutes with one client: the first
and the last minute's median delay and the server's resident memory after each. Writes the
tables to benchmarks/RESULTS-live.md with the CPU and the commit named.
"""
import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from live_server import CLIP, clip_frames, serving, websocket_url  # noqa: E402

from timing import cpu_name, provenance  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS-live.md"
RATE = 30.0


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def client(url, frames, seconds, results, started_at):
    """Replay `frames` at RATE for `seconds`; results gets [(sent time, delay or None)] per frame."""
    from websockets.sync.client import connect

    sent, delays, done = {}, {}, threading.Event()
    with connect(websocket_url(url, "/live"), max_size=None) as socket:
        def read():
            try:
                while not done.is_set() or len(delays) + sum_dropped[0] < len(sent):
                    message = json.loads(socket.recv(timeout=5))
                    delays[message["frame"]] = time.monotonic() - sent[message["frame"]]
                    sum_dropped[0] += message.get("dropped", 0)
            except Exception:
                pass

        sum_dropped = [0]
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        start, index = time.monotonic(), 0
        while time.monotonic() - start < seconds:
            due = start + index / RATE
            time.sleep(max(0.0, due - time.monotonic()))
            sent[index] = time.monotonic()
            socket.send(frames[index % len(frames)])
            index += 1
        done.set()
        reader.join(timeout=10)
    results.append([(sent[i] - started_at, delays.get(i)) for i in sorted(sent)])


def run_clients(url, frames, count, seconds):
    results, started = [], time.monotonic()
    threads = [threading.Thread(target=client, args=(url, frames, seconds, results, started)) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def describe(results, seconds):
    every = [item for result in results for item in result]
    delays = [d * 1000 for _, d in every if d is not None]
    first = [d * 1000 for t, d in every if d is not None and t < seconds / 3]
    last = [d * 1000 for t, d in every if d is not None and t >= 2 * seconds / 3]
    return {"sent": len(every), "answered": len(delays), "dropped": len(every) - len(delays),
            "median": statistics.median(delays), "p95": float(np.percentile(delays, 95)),
            "first": statistics.median(first), "last": statistics.median(last)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="each client count's run (default 30 s)")
    parser.add_argument("--minutes", type=float, default=10, help="the long run (default 10; 0: none)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    frames = [data for _, data in clip_frames(CLIP, encoding=".jpg")]
    lines = [f"Live on {cpu_name()}: the shared clip ({len(frames)} frames, 596x336) replayed at {RATE:.0f} frames/s "
             "per client as JPEG over /live, one pass, to a server on 127.0.0.1.", "",
             "| clients | frames sent | answered | dropped | delay median | p95 | first third's median | last third's |",
             "|---|---|---|---|---|---|---|---|"]
    measured, long_run = {}, None
    launched = time.monotonic()
    with serving() as (url, process):
        ready = time.monotonic() - launched
        first = run_clients(url, frames[:1], 1, 0.05)[0][0][1]
        startup = f"server ready {ready:.2f} s after it was started; its first answer {ready + first:.2f} s after"
        for count in args.clients:
            d = measured[count] = describe(run_clients(url, frames, count, args.seconds), args.seconds)
            lines.append(f"| {count} | {d['sent']} | {d['answered']} ({d['answered'] / d['sent']:.1%}) | {d['dropped']} | "
                         f"{d['median']:.1f} ms | {d['p95']:.1f} ms | {d['first']:.1f} ms | {d['last']:.1f} ms |")
            print(lines[-1], flush=True)
        if args.minutes:
            memory, stop = {}, threading.Event()

            def sample_memory():
                start = time.monotonic()
                for minute in (1, args.minutes):
                    while time.monotonic() - start < minute * 60 and not stop.wait(1):
                        pass
                    memory[minute] = resident_mb(process.pid)

            sampler = threading.Thread(target=sample_memory, daemon=True)
            sampler.start()
            result = run_clients(url, frames, 1, args.minutes * 60)[0]
            sampler.join(timeout=5)
            first_minute = [d * 1000 for t, d in result if d is not None and t < 60]
            last_minute = [d * 1000 for t, d in result if d is not None and t >= (args.minutes - 1) * 60]
            answered = sum(d is not None for _, d in result)
            long_run = (statistics.median(first_minute), statistics.median(last_minute), memory.get(1, float("nan")),
                        memory.get(args.minutes, float("nan")))
            lines += ["", f"{args.minutes:g} minutes, one client: {answered} of {len(result)} frames answered; median "
                      f"delay {statistics.median(first_minute):.1f} ms in the first minute, "
                      f"{statistics.median(last_minute):.1f} ms in the last; the server's resident memory "
                      f"{memory.get(1, float('nan')):.0f} MB after the first minute, "
                      f"{memory.get(args.minutes, float('nan')):.0f} MB after the last."]
    lines += ["", startup + "."]
    targets = []
    if 1 in measured:
        one = measured[1]
        targets += [(f"one client: {one['answered'] / one['sent']:.1%} of frames answered >= 95%, delay median "
                     f"{one['median']:.1f} <= 25 ms, p95 {one['p95']:.1f} <= 50 ms",
                     one["answered"] >= 0.95 * one["sent"] and one["median"] <= 25 and one["p95"] <= 50),
                    (f"first answer {ready + first:.2f} s <= 1 s after start-up", ready + first <= 1.0)]
    if 4 in measured:
        four = measured[4]
        targets.append((f"four clients: p95 {four['p95']:.1f} <= 150 ms, delay flat (last third's median "
                        f"{four['last']:.1f} within 10% of the first's {four['first']:.1f})",
                        four["p95"] <= 150 and four["last"] <= 1.1 * four["first"]))
    if long_run:
        first_median, last_median, memory_first, memory_last = long_run
        targets.append((f"{args.minutes:g} minutes: last minute's median {last_median:.1f} ms within 10% of the "
                        f"first's {first_median:.1f}; memory {memory_last - memory_first:+.1f} MB within 20 MB",
                        last_median <= 1.1 * first_median and abs(memory_last - memory_first) <= 20))
    lines += ["", "Targets:", ""] + [f"- {text}: {'met' if met else '**not met**'}" for text, met in targets]
    print("\n".join(lines))
    RESULTS.write_text(f"# Benchmark: live answers\n\nWritten by `python tasks.py bench live`. {provenance()}\n\n"
                       + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
