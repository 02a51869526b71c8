import time

import pytest
import yaml

from sim.dashboard.jobs import JobRefused, Jobs

SMALL = {
    "name": "tiny",
    "days": 30,
    "compounds": [{"name": "a", "buildings": 3, "households": 60}],
}


def _wait(job, timeout=120):
    t0 = time.time()
    while job.state() == "running" and time.time() - t0 < timeout:
        time.sleep(0.2)
    return job.state()


def test_job_runs_a_comparison_under_workbench(tmp_path):
    jobs = Jobs(tmp_path, max_jobs=2)
    job = jobs.start("s1", yaml.safe_dump(SMALL), ["party.density=0"], replicates=2)
    assert _wait(job) == "finished", job.error()
    assert job.done_runs() == job.total == 4
    assert (job.folder / "comparison.json").exists()
    assert job.folder.parent == tmp_path / "workbench"
    written = {p.relative_to(tmp_path).parts[0] for p in tmp_path.iterdir()}
    assert written == {"workbench"}


def test_one_job_per_session_a_global_limit_and_cancel(tmp_path):
    jobs = Jobs(tmp_path, max_jobs=1)
    long = {**SMALL, "days": 3000}
    job = jobs.start("s1", yaml.safe_dump(long), ["party.density=0"], replicates=4)
    with pytest.raises(JobRefused, match="of yours"):
        jobs.start("s1", yaml.safe_dump(SMALL), ["party.density=0"], replicates=2)
    with pytest.raises(JobRefused, match="limit"):
        jobs.start("s2", yaml.safe_dump(SMALL), ["party.density=0"], replicates=2)
    assert not jobs.cancel(job.id, "s2")  # not their job
    assert jobs.cancel(job.id, "s1")
    assert job.state() == "cancelled"
    again = jobs.start("s2", yaml.safe_dump(SMALL), ["party.density=0"], replicates=1)
    assert _wait(again) == "finished", again.error()
