"""`make load`: the reference host under load, on SQLite and on PostgreSQL, with 1 and 2 workers.

For each store and worker count it starts the workers (``python -m kl_contact_web``) on a
fresh database with an SMTP server of its own, lets locust's users walk whole sessions for a
fixed time (see locustfile.py), and prints sessions/s, events/s, the 50th/95th/99th
percentile of one event's answer time, errors, the server's CPU time per confirmed session
(workers and database server, read from /proc) and its memory. Afterwards every confirmed
session must have exactly one request in the database, holding what was sent, and exactly
one registration letter: any inconsistency is counted and makes the run fail.

PostgreSQL: ``--postgres-url`` (or KL_CONTACT_TEST_POSTGRES_URL) names a server the run may
create databases on; without one a throwaway server is started when PostgreSQL is installed,
as .ci/run does, and stopped afterwards. The figures are for people, not asserted; only
errors and inconsistencies fail the run (exit status 1).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "web"
HERE = Path(__file__).resolve().parent
OFFICE_HOURS = "2026-11-25T12:00:00+03:00"
"""A Wednesday noon in Moscow: every channel of the default workflow is open."""
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# --------------------------------------------------------------------------- /proc


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def pss_bytes(pid: int) -> int:
    """Proportional set size of one process (shared pages split between their users)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def children_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == parent:
                found.append(int(entry.name))
    return found


def machine_idle() -> tuple[float, float]:
    """(idle, total) CPU seconds of the whole machine (all cores) since boot."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (parts[3] + parts[4]) / TICK, sum(parts[:8]) / TICK


# --------------------------------------------------------------------------- services


class Letters:
    """An SMTP server on loopback that counts the letters per recipient."""

    def __init__(self) -> None:
        self.count: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            for address in envelope.rcpt_tos:
                self.count[str(address).lower()] += 1
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[Letters, int]]:
    from aiosmtpd.controller import Controller

    letters, port = Letters(), free_port()
    controller = Controller(letters, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield letters, port
    finally:
        controller.stop()


@contextmanager
def throwaway_postgres() -> Iterator[str | None]:
    """A PostgreSQL server of its own on 127.0.0.1, as .ci/run starts one; None if absent."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not bins:
        yield None
        return
    bin_dir = bins[-1].parent
    folder = Path(tempfile.mkdtemp(prefix="kl-contact-load-pg."))
    run_as: list[str] = []
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = folder / "data"
    quiet = {"stdout": subprocess.DEVNULL, "check": True}
    subprocess.run(
        [
            *run_as,
            bin_dir / "initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        **quiet,
    )  # type: ignore[arg-type]
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder}"
        " -c fsync=off -c max_connections=200"
    )
    subprocess.run(
        [
            *run_as,
            bin_dir / "pg_ctl",
            "-D",
            data,
            "-l",
            folder / "server.log",
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        ],
        **quiet,
    )  # type: ignore[arg-type]
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, bin_dir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"],
            stdout=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


def postmaster_pid(url: str) -> int | None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT pg_postmaster_start_time(), pg_backend_pid()").fetchone()
        backend = int(row[1]) if row else 0
    try:
        stat = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        return int(stat[1])
    except OSError:
        return None  # a server on another machine: its CPU cannot be read here


@contextmanager
def fresh_database(store: str, server: str | None, folder: Path, n: int) -> Iterator[str]:
    if store == "sqlite":
        yield f"sqlite:///{folder / f'load-{n}.sqlite3'}"
        return
    import psycopg

    assert server is not None
    name = f"kl_contact_load_{os.getpid()}_{n}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def workers(count: int, url: str, smtp_port: int, threads: int) -> Iterator[list[Any]]:
    env = {
        **os.environ,
        "PYTHONPATH": str(EXAMPLE),
        "KL_CONTACT_WEB_DATABASE_URL": url,
        "KL_CONTACT_WEB_SMTP_PORT": str(smtp_port),
        "KL_CONTACT_WEB_FIXED_TIME": OFFICE_HOURS,
        # every simulated user comes from 127.0.0.1: lift the per-address creation limit
        "KL_CONTACT_WEB_SESSIONS_PER_CLIENT": "1000000",
    }
    started = []
    try:
        for _ in range(count):
            port = free_port()
            command = [
                sys.executable,
                "-m",
                "kl_contact_web",
                "--port",
                str(port),
                "--threads",
                str(threads),
            ]
            process = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            started.append((process, f"http://127.0.0.1:{port}"))
        for process, base in started:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None:
                        raise RuntimeError("a worker did not start") from None
                    time.sleep(0.1)
        yield started
    finally:
        for process, _ in started:
            process.send_signal(signal.SIGTERM)
        for process, _ in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --------------------------------------------------------------------------- one run


def swarm(
    users: int, seconds: float, bases: list[str], record: Path, prefix: Path
) -> tuple[float, float]:
    """Run locust headless; returns the wall time and the load tool's own CPU time."""
    env = {**os.environ, "KL_LOAD_WORKERS": " ".join(bases), "KL_LOAD_RECORD": str(record)}
    command = [
        str(Path(sys.executable).parent / "locust"),
        *("-f", str(HERE / "locustfile.py"), "--headless", "--only-summary"),
        *("-u", str(users), "-r", str(users), "-t", f"{round(seconds)}s"),
        *("--csv", str(prefix), "--loglevel", "ERROR", "--exit-code-on-error", "0"),
    ]
    log_path = prefix.with_suffix(".log")
    begin = time.monotonic()
    with log_path.open("w") as log:
        tool = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
        tool_cpu = 0.0
        while tool.poll() is None:
            tool_cpu = max(tool_cpu, cpu_seconds(tool.pid))
            time.sleep(0.2)
    if tool.returncode != 0:
        raise RuntimeError("locust failed: " + log_path.read_text()[-2000:])
    return time.monotonic() - begin, tool_cpu


@dataclass
class Result:
    store: str
    workers: int
    users: int
    seconds: float
    sessions: int
    events: int
    errors: int
    p50: float
    p95: float
    p99: float
    worker_cpu: float
    database_cpu: float
    load_tool_cpu: float
    idle_share: float
    others_share: float
    worker_memory: int
    database_memory: int
    inconsistencies: list[str]


def inconsistencies(url: str, records: list[dict[str, Any]], letters: Letters) -> list[str]:
    """What does not hold: one request per confirmed session, equal to what was sent, one
    letter to the address it gave. Messages name the session, never what it holds."""
    sys.path.insert(0, str(EXAMPLE))
    from kl_contact_web.storage import Storage

    storage = Storage(url)
    problems = []
    counts: Counter[str] = Counter()
    if url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            rows = conn.execute("SELECT session_id FROM kl_contact_requests").fetchall()
    else:
        import psycopg

        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT session_id FROM kl_contact_requests").fetchall()
    counts.update(row[0] for row in rows)
    for record in records:
        sid, sent = record["session_id"], record["sent"]
        if counts[sid] != 1:
            problems.append(f"session {sid}: {counts[sid]} requests")
            continue
        request = storage.request(record["request_number"])
        if request is None or request.session_id != sid:
            problems.append(f"session {sid}: its request number names another request")
            continue
        ticket = request.ticket
        expected = {
            "channel": record["channel"],
            "locale": record["locale"],
            "subject": sent["subject"],
            "description": sent["description"],
            "email": sent["email"],
        }
        found = {
            "channel": ticket["channel"],
            "locale": ticket["locale"],
            "subject": ticket["subject"],
            "description": ticket["description"],
            "email": ticket["contact"]["email"],
        }
        if found != expected:
            problems.append(f"session {sid}: the ticket differs from what was sent")
        if letters.count[sent["email"].lower()] != 1:
            problems.append(f"session {sid}: {letters.count[sent['email'].lower()]} letters")
    return problems


def run_one(
    store: str,
    count: int,
    users: int,
    seconds: float,
    server: str | None,
    threads: int,
    folder: Path,
    n: int,
) -> Result:
    record_file = folder / f"sessions-{n}.jsonl"
    csv_prefix = folder / f"locust-{n}"
    with (
        smtp_server() as (letters, smtp_port),
        fresh_database(store, server, folder, n) as url,
        workers(count, url, smtp_port, threads) as started,
    ):
        database = postmaster_pid(url) if store == "postgresql" else None

        def database_pids() -> list[int]:
            return [database, *children_of(database)] if database else []

        pids = [process.pid for process, _ in started]
        bases = [base for _, base in started]
        # Unmeasured: each worker builds what it builds on first use (indexes, converters).
        swarm(2, 3, bases, folder / f"warm-up-{n}.jsonl", folder / f"warm-up-{n}")
        cpu_before = sum(cpu_seconds(p) for p in pids)
        db_before = {p: cpu_seconds(p) for p in database_pids()}
        idle_before, total_before = machine_idle()
        elapsed, tool_cpu = swarm(users, seconds, bases, record_file, csv_prefix)
        idle_after, total_after = machine_idle()
        worker_cpu = sum(cpu_seconds(p) for p in pids) - cpu_before
        db_after = {p: cpu_seconds(p) for p in database_pids()}
        # Backends that ended during the run are lost to this sum: it can only be lower.
        database_cpu = sum(t - db_before.get(p, 0.0) for p, t in db_after.items())
        worker_memory = max(pss_bytes(p) for p in pids)
        database_memory = sum(pss_bytes(p) for p in database_pids())
        records = []
        if record_file.exists():
            records = [json.loads(line) for line in record_file.read_text().splitlines()]
        problems = inconsistencies(url, records, letters)
    with open(f"{csv_prefix}_stats.csv", newline="") as fh:
        total = next(r for r in csv.DictReader(fh) if r["Name"] == "Aggregated")
    with open(f"{csv_prefix}_failures.csv", newline="") as fh:
        for failure in csv.DictReader(fh):
            print(
                f"FAILED ({store}, {count} workers): {failure['Name']}: {failure['Error']}"
                f" x {failure['Occurrences']}"
            )
    if total["50%"] == "N/A":
        total.update({"50%": "nan", "95%": "nan", "99%": "nan"})
    return Result(
        store,
        count,
        users,
        # locust's own run time (its start-up excluded), from its request rate
        int(total["Request Count"]) / float(total["Requests/s"])
        if float(total["Requests/s"])
        else elapsed,
        len(records),
        int(total["Request Count"]),
        int(total["Failure Count"]),
        float(total["50%"]),
        float(total["95%"]),
        float(total["99%"]),
        worker_cpu,
        database_cpu,
        tool_cpu,
        (idle_after - idle_before) / max(total_after - total_before, 1.0),
        # what the rest of the machine used: all busy time less the host's and the tool's
        max(
            0.0,
            (total_after - total_before - (idle_after - idle_before))
            - (worker_cpu + database_cpu + tool_cpu),
        )
        / max(total_after - total_before, 1.0),
        worker_memory,
        database_memory,
        problems,
    )


def report(results: list[Result]) -> None:
    cores = os.cpu_count() or 1
    headers = (
        "store",
        "workers",
        "users",
        "sessions/s",
        "events/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "CPU/session ms (worker+db)",
        "idle / others",
        "worker PSS",
        "db PSS",
        "inconsistent",
    )
    rows = []
    for r in results:
        per = (r.worker_cpu + r.database_cpu) / r.sessions * 1e3 if r.sessions else float("nan")
        per_db = r.database_cpu / r.sessions * 1e3 if r.sessions else float("nan")
        rows.append(
            (
                r.store,
                str(r.workers),
                str(r.users),
                f"{r.sessions / r.seconds:.1f}",
                f"{r.events / r.seconds:.0f}",
                f"{r.p50:.0f}",
                f"{r.p95:.0f}",
                f"{r.p99:.0f}",
                str(r.errors),
                f"{per:.1f} ({per - per_db:.1f}+{per_db:.1f})",
                f"{r.idle_share * 100:.0f}% / {r.others_share * 100:.0f}% of {cores}",
                f"{r.worker_memory / 2**20:.0f} MB",
                f"{r.database_memory / 2**20:.0f} MB" if r.store == "postgresql" else "-",
                str(len(r.inconsistencies)),
            )
        )
    widths = [max(len(x[i]) for x in (*rows, headers)) for i in range(len(headers))]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    by = {(r.store, r.workers, r.users): r for r in results}
    for r in results:
        if r.workers == 2 and (one := by.get((r.store, 1, r.users))) and one.sessions:
            gain = (r.sessions / r.seconds) / (one.sessions / one.seconds)
            print(
                f"{r.store}, {r.users} users: 2 workers give {gain:.2f}x the sessions/s of 1"
                f" (machine idle {one.idle_share * 100:.0f}% -> {r.idle_share * 100:.0f}%)"
            )
    print(
        "the load tool's own CPU per run: "
        + ", ".join(f"{r.load_tool_cpu:.1f} s" for r in results)
        + " (on the same cores as the host)"
    )
    for r in results:
        for problem in r.inconsistencies[:5]:
            print(f"INCONSISTENT ({r.store}, {r.workers} workers): {problem}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--users", type=int, nargs="+", default=[16])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--stores", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--postgres-url", default=os.environ.get("KL_CONTACT_TEST_POSTGRES_URL"))
    args = parser.parse_args(argv)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="kl-contact-load.") as tmp:
        folder = Path(tmp)
        starter = throwaway_postgres() if not args.postgres_url else None
        with starter or _given(args.postgres_url) as server:
            n = 0
            for store in args.stores:
                if store == "postgresql" and server is None:
                    if os.environ.get("CI") == "true":
                        print("PostgreSQL is required under CI=true", file=sys.stderr)
                        return 1
                    print("PostgreSQL is neither given nor installed: its runs are skipped")
                    continue
                for count in args.workers:
                    for users in args.users:
                        n += 1
                        results.append(
                            run_one(
                                store, count, users, args.seconds, server, args.threads, folder, n
                            )
                        )
    report(results)
    failed = [r for r in results if r.errors or r.inconsistencies or not r.sessions]
    return 1 if failed else 0


@contextmanager
def _given(url: str | None) -> Iterator[str | None]:
    yield url


if __name__ == "__main__":
    sys.exit(main())
