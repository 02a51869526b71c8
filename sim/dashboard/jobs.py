"""Background work started from the dashboard's workbench.

A job is one ``sim`` process writing under ``RESULTS/workbench/`` — the only place the dashboard
writes: ``sim compare`` (baseline vs variant on the same seeds; an ordinary comparison folder,
progress = finished run folders) or ``sim target`` ("what would it take?"; progress = settings
tried, read from its ``--json`` record). Jobs run in their own process group, so cancelling stops
the runs in progress while finished run folders are kept. At most one running job per browser
session and ``max_jobs`` in all.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

WORKBENCH = "workbench"


class JobRefused(RuntimeError):
    """A job cannot start now (limit reached); the message says why."""


@dataclass
class Job:
    """One background comparison."""

    id: str
    session: str
    folder: Path
    scenario_file: Path
    log: Path
    total: int
    process: subprocess.Popen
    cancelled: bool = False
    kind: str = "compare"

    def done_runs(self) -> int:
        """Work finished so far: run folders of both arms, or settings tried."""
        if self.kind == "target":
            record = self.record()
            return len(record.get("trials", [])) if record else 0
        return len(list(self.folder.glob("*/seed-*/summary.json")))

    def record(self) -> dict | None:
        """What the job wrote: ``comparison.json`` or the target record (None before)."""
        name = "target.json" if self.kind == "target" else "comparison.json"
        try:
            return json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def state(self) -> str:
        """``running``, ``finished``, ``cancelled`` or ``failed``."""
        code = self.process.poll()
        if code is None:
            return "running"
        if self.cancelled:
            return "cancelled"
        if code == 0:
            return "finished"
        # `sim target` exits 1 when no setting reaches the target: an answer, not a failure
        record = self.record() if self.kind == "target" else None
        return "finished" if record and record.get("finished") else "failed"

    def error(self) -> str:
        """The last lines the job printed on failure (its own message, never a traceback)."""
        try:
            lines = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return ""
        return "\n".join(line for line in lines[-3:] if "Traceback" not in line)


class Jobs:
    """The workbench's jobs over one results folder."""

    def __init__(self, results: str | Path, max_jobs: int = 2, workers: int = 1) -> None:
        self.root = Path(results) / WORKBENCH
        self.max_jobs = max_jobs
        self.workers = workers
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._count = 0

    def running(self) -> list[Job]:
        """Jobs still running."""
        return [j for j in self._jobs.values() if j.state() == "running"]

    def get(self, job_id: str | None) -> Job | None:
        """A job by id (None if unknown)."""
        return self._jobs.get(job_id or "")

    def start(
        self,
        session: str,
        scenario_yaml: str,
        change: list[str],
        replicates: int = 10,
        label: str = "compare",
    ) -> Job:
        """Start ``sim compare`` of the scenario against the scenario with ``change`` applied.

        Args:
            session: the browser session's id (one running job each).
            scenario_yaml: the baseline scenario as YAML text (already validated by the caller).
            change: ``KEY.PATH=VALUE`` overrides that make the variant.
            replicates: seeds per arm.
            label: a short name for the folder (sanitised).

        Raises:
            JobRefused: this session already runs a job, or the global limit is reached.
        """
        args = ["compare", "{scenario}"]
        for c in change:
            args += ["--change", c]
        args += ["--replicates", str(replicates), "--out", "{folder}"]
        return self._launch(session, scenario_yaml, args, 2 * replicates, label, "compare")

    def start_target(
        self,
        session: str,
        scenario_yaml: str,
        metric: str,
        threshold: float,
        levers: dict[str, list[float]],
        at_least: bool = True,
        share_of_runs: float | None = None,
        replicates: int = 5,
        max_trials: int = 60,
        label: str = "target",
    ) -> Job:
        """Start ``sim target`` ("what would it take?") over ``levers`` (settings in effort order).

        Raises:
            JobRefused: as :meth:`start`.
        """
        args = ["target", "{scenario}", "--metric", metric]
        args += ["--at-least" if at_least else "--at-most", repr(float(threshold))]
        if share_of_runs is not None:
            args += ["--in-share", repr(float(share_of_runs))]
        for path, values in levers.items():
            args += ["--lever", f"{path}=" + ",".join(repr(float(v)) for v in values)]
        args += ["--replicates", str(replicates), "--max-trials", str(max_trials)]
        args += ["--json", "{folder}/target.json"]
        planned = 1
        for values in levers.values():
            planned *= len(values)
        return self._launch(session, scenario_yaml, args, min(planned, max_trials), label, "target")

    def _launch(
        self, session: str, scenario_yaml: str, args: list[str], total: int, label: str, kind: str
    ) -> Job:
        with self._lock:
            running = self.running()
            if any(j.session == session for j in running):
                raise JobRefused("a job of yours is still running; wait or cancel it")
            if len(running) >= self.max_jobs:
                raise JobRefused(f"{len(running)} jobs are running (the limit); try again shortly")
            self._count += 1
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            slug = re.sub(r"[^A-Za-z0-9_-]+", "-", label).strip("-")[:40] or kind
            job_id = f"{stamp}-{os.getpid()}-{self._count}-{slug}"
            folder = self.root / job_id
            inputs = self.root / "scenarios"
            logs = self.root / "logs"
            inputs.mkdir(parents=True, exist_ok=True)
            logs.mkdir(parents=True, exist_ok=True)
            scenario_file = inputs / f"{job_id}.yaml"
            scenario_file.write_text(scenario_yaml, encoding="utf-8")
            if kind == "target":
                folder.mkdir(parents=True)
            log = logs / f"{job_id}.log"
            fill = {"scenario": str(scenario_file), "folder": str(folder)}
            cmd = [sys.executable, "-m", "sim", *(a.format(**fill) for a in args)]
            cmd += ["--workers", str(self.workers)]
            env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}
            with log.open("w", encoding="utf-8") as fh:
                proc = subprocess.Popen(
                    cmd,
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                    env=env,
                )
            job = Job(job_id, session, folder, scenario_file, log, total, proc, kind=kind)
            self._jobs[job_id] = job
            return job

    def cancel(self, job_id: str, session: str) -> bool:
        """Stop a session's own running job (its whole process group); returns whether it did."""
        job = self._jobs.get(job_id)
        if job is None or job.session != session or job.state() != "running":
            return False
        job.cancelled = True
        try:
            os.killpg(job.process.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            return False
        try:
            job.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(job.process.pid, signal.SIGKILL)
            job.process.wait(timeout=10)
        return True

    def shutdown(self) -> None:
        """Stop every running job (when the dashboard stops)."""
        for job in self.running():
            self.cancel(job.id, job.session)
