"""A real Slurm on one machine for the many-node tests: munged, slurmctld and one slurmd per fake node.

Debian's ``slurm-wlm`` and ``munge``, run as plain daemons from a throw-away folder: ``munged`` as the
``munge`` user with its own key and socket, ``slurmctld`` and four ``slurmd -N nX`` as root, the nodes
``n[1-4]`` all on this host (``NodeHostname`` is the host's name, ``NodeAddr=127.0.0.1``, one port
each; ``%n`` in the slurmd paths; ``SlurmdParameters=config_overrides``), ``proctrack/linuxproc``,
``task/none``, no accounting. Each node has two fake GPUs (gres ``gpu``, files that are character
devices like ``/dev/null``), so Slurm sets ``SLURM_STEP_GPUS`` and ``CUDA_VISIBLE_DEVICES`` as it does on
a GPU cluster. All fake nodes share one host name and file system: only ``SLURMD_NODENAME`` and
``SLURM_NODEID`` tell them apart.

CI starts the daemons in ``.ci/run`` (``start_service``, stopped by PID) from the commands this module
prints, and names the configuration in ``UNE_EVAL_TEST_SLURM``; without it the tests start their own
(:func:`local_cluster`). Usage from the shell::

    python -m tests.slurm_cluster prepare DIR        # key, slurm.conf, gres.conf, fake GPUs
    python -m tests.slurm_cluster daemons DIR        # the daemons' names, in start order
    python -m tests.slurm_cluster argv DIR NAME      # one daemon's command line, NUL-separated
    python -m tests.slurm_cluster wait DIR           # until munge answers / every node is idle
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ENV = "UNE_EVAL_TEST_SLURM"
NODES = ("n1", "n2", "n3", "n4")
GPUS_PER_NODE = 2
_NODE_RESOURCES = f"CPUs=1 RealMemory=1000 Gres=gpu:{GPUS_PER_NODE} State=UNKNOWN"
JOB_STATES_DONE = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED"}


def missing() -> str | None:
    """Why no Slurm can be run here (None when it can)."""
    for tool in ("munged", "slurmctld", "slurmd", "srun", "sbatch", "squeue", "setpriv"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: apt-get install --no-install-recommends slurm-wlm munge)"
    if os.geteuid() != 0:
        return "the Slurm daemons run as root (slurmd) and as the munge user: the tests must run as root"
    return None


def _free_ports(count: int) -> int:
    """The first of ``count`` consecutive free TCP ports on 127.0.0.1."""
    rng = random.Random()
    for _ in range(200):
        first = rng.randrange(20000, 60000 - count)
        sockets = []
        try:
            for port in range(first, first + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free range of ports for the Slurm daemons")


def _conf(folder: Path, ctld_port: int, node_port: int) -> str:
    host = socket.gethostname()
    last = node_port + len(NODES) - 1
    return f"""ClusterName=uneevalci
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={folder}/munge-run/munge.socket
StateSaveLocation={folder}/state
SlurmdSpoolDir={folder}/spool/%n
SlurmctldPidFile={folder}/run/slurmctld.pid
SlurmdPidFile={folder}/run/slurmd.%n.pid
SlurmctldLogFile={folder}/log/slurmctld.log
SlurmdLogFile={folder}/log/slurmd.%n.log
PlugStackConfig={folder}/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=15
MinJobAge=600
GresTypes=gpu
NodeName=n[1-{len(NODES)}] NodeHostname={host} NodeAddr=127.0.0.1 Port=[{node_port}-{last}] {_NODE_RESOURCES}
PartitionName=ci Nodes=n[1-{len(NODES)}] Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
"""


def prepare(folder: Path) -> None:
    """Write the munge key, slurm.conf, gres.conf and the fake GPU devices into ``folder``."""
    import pwd

    munge = pwd.getpwnam("munge")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    for sub in ("state", "spool", "run", "log", "dev"):
        (folder / sub).mkdir(exist_ok=True)
    for sub, mode in (("munge", 0o700), ("munge-run", 0o755)):
        path = folder / sub
        path.mkdir(exist_ok=True)
        os.chown(path, munge.pw_uid, munge.pw_gid)
        path.chmod(mode)
    key = folder / "munge" / "munge.key"
    key.write_bytes(os.urandom(1024))
    os.chown(key, munge.pw_uid, munge.pw_gid)
    key.chmod(0o400)
    for g in range(GPUS_PER_NODE):  # character devices 1,3 (as /dev/null): gres needs device files
        device = folder / "dev" / f"gpu{g}"
        if not device.exists():
            os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    (folder / "plugstack.conf").write_text("")
    (folder / "gres.conf").write_text(
        f"NodeName=n[1-{len(NODES)}] Name=gpu File={folder}/dev/gpu[0-{GPUS_PER_NODE - 1}]\n"
    )
    ports = _free_ports(len(NODES) + 1)
    (folder / "slurm.conf").write_text(_conf(folder, ports, ports + 1))


def daemons() -> list[str]:
    """The daemons' names, in the order they start."""
    return ["munged", "slurmctld", *(f"slurmd-{n}" for n in NODES)]


def argv(folder: Path, name: str) -> list[str]:
    """One daemon's command line: in the foreground, its output appended to its log (``exec`` keeps the PID)."""
    log = folder / "log" / f"{name}.out"
    conf = str(folder / "slurm.conf")
    if name == "munged":
        command = [
            "setpriv", "--reuid=munge", "--regid=munge", "--init-groups", "--", "munged", "-F",
            f"--socket={folder}/munge-run/munge.socket", f"--key-file={folder}/munge/munge.key",
            f"--pid-file={folder}/munge-run/munged.pid", f"--log-file={folder}/munge/munged.log",
            f"--seed-file={folder}/munge/munged.seed",
        ]  # fmt: skip
    elif name == "slurmctld":
        command = ["slurmctld", "-D", "-i", "-f", conf]
    elif name.startswith("slurmd-") and name[7:] in NODES:
        command = ["slurmd", "-D", "-N", name[7:], "-f", conf]
    else:
        raise ValueError(f"no daemon {name!r}")
    return ["sh", "-c", 'log=$1; shift; exec "$@" >>"$log" 2>&1', "sh", str(log), *command]


def wait_munge(folder: Path, timeout_s: float = 30.0) -> None:
    """Until munged's socket exists."""
    deadline = time.monotonic() + timeout_s
    while not (folder / "munge-run" / "munge.socket").exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"munged did not start (see {folder}/munge)")
        time.sleep(0.1)


def wait_ready(conf: Path, timeout_s: float = 60.0) -> None:
    """Until every node is idle."""
    env = os.environ | {"SLURM_CONF": str(conf)}
    deadline = time.monotonic() + timeout_s
    states = ""
    while time.monotonic() < deadline:
        done = subprocess.run(
            ["sinfo", "-h", "-N", "-o", "%N %T"], env=env, capture_output=True, text=True, timeout=30, check=False
        )
        states = done.stdout.strip()
        idle = [line for line in states.splitlines() if line.split()[-1] == "idle"]
        if len(idle) == len(NODES):
            return
        time.sleep(0.5)
    raise RuntimeError(f"the Slurm nodes did not become idle: {states or 'no answer'}")


@contextmanager
def local_cluster() -> Iterator[Path]:
    """Start a cluster for this test session; yield its slurm.conf; stop the daemons by their PIDs."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="une-eval-test-slurm-"))
    prepare(folder)
    started: list[subprocess.Popen[bytes]] = []
    try:
        for name in daemons():
            started.append(subprocess.Popen(argv(folder, name)))
            if name == "munged":
                wait_munge(folder)
        wait_ready(folder / "slurm.conf")
        yield folder / "slurm.conf"
    finally:
        for process in reversed(started):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Slurm:
    """A running cluster, by its configuration file."""

    conf: Path

    def env(self, **extra: str) -> dict[str, str]:
        """The environment Slurm's commands need, plus ``extra``."""
        return os.environ | {"SLURM_CONF": str(self.conf)} | extra

    def sbatch(
        self, script: Path, options: Sequence[str], args: Sequence[str] = (), env: dict[str, str] | None = None
    ) -> str:
        """Submit a batch job (``args`` go to the script); its id."""
        done = subprocess.run(
            ["sbatch", "--parsable", *options, str(script), *args],
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout.strip().split(";")[0]

    def state(self, job_id: str) -> tuple[str, str]:
        """The job's state and exit code (``scontrol``: kept for MinJobAge after the job ends)."""
        done = subprocess.run(
            ["scontrol", "-o", "show", "job", job_id], env=self.env(), capture_output=True, text=True, timeout=30
        )
        fields = dict(f.split("=", 1) for f in done.stdout.split() if "=" in f)
        return fields.get("JobState", "UNKNOWN"), fields.get("ExitCode", "")

    def wait(self, job_id: str, timeout_s: float = 240.0) -> tuple[str, str]:
        """Poll ``squeue`` (``sbatch --wait`` polls slowly) until the job has left the queue."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            done = subprocess.run(
                ["squeue", "-h", "-j", job_id, "-o", "%T"], env=self.env(), capture_output=True, text=True, timeout=30
            )
            if not done.stdout.strip() or done.stdout.strip() in JOB_STATES_DONE:
                return self.state(job_id)
            time.sleep(0.25)
        subprocess.run(["scancel", job_id], env=self.env(), timeout=30, check=False)
        raise TimeoutError(f"Slurm job {job_id} did not finish in {timeout_s:g} s")

    def signal(self, job_id: str, name: str) -> None:
        """Send a signal to the job's steps (``scancel --signal``)."""
        subprocess.run(["scancel", f"--signal={name}", job_id], env=self.env(), timeout=30, check=True)


def main(args: list[str]) -> int:
    """The shell interface (see the module docstring)."""
    if len(args) >= 2 and args[0] == "prepare":
        prepare(Path(args[1]))
    elif len(args) >= 2 and args[0] == "daemons":
        print("\n".join(daemons()))
    elif len(args) == 3 and args[0] == "argv":
        sys.stdout.write("\0".join(argv(Path(args[1]), args[2])) + "\0")
    elif len(args) >= 2 and args[0] == "wait":
        wait_munge(Path(args[1]))
        if len(args) == 2:
            wait_ready(Path(args[1]) / "slurm.conf")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
