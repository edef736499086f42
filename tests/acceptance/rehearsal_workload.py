"""A workload for the runner tests, driven by environment variables (run by `une-eval measure` as a command).

WL_DIR          folder for what it leaves for the test: <phase>.pid (its own pid), <phase>.child (a child's
                pid, when it hangs), <phase>.env.json (its environment, with WL_DUMP_ENV=1)
WL_HANG_PHASE   in this phase, start a child that sleeps and then sleep itself (the test signals it)
WL_RESULT       what to leave at $UNE_EVAL_RESULT_FILE: a JSON text (default {"work_units": 10}),
                "fifo" (a named pipe), "link:<target>" (a symbolic link), "none" (nothing)
WL_SECONDS      how long a run that does not hang takes (default 0.3)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

out = Path(os.environ["WL_DIR"])
phase = os.environ.get("UNE_EVAL_PHASE", "manual")
(out / f"{phase}.pid").write_text(str(os.getpid()))
if os.environ.get("WL_DUMP_ENV"):
    (out / f"{phase}.env.json").write_text(json.dumps(dict(os.environ)))
if phase == os.environ.get("WL_HANG_PHASE"):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    (out / f"{phase}.child").write_text(str(child.pid))
    time.sleep(600)
time.sleep(float(os.environ.get("WL_SECONDS", "0.3")))
result = Path(os.environ["UNE_EVAL_RESULT_FILE"])
spec = os.environ.get("WL_RESULT", '{"work_units": 10}')
if spec == "fifo":
    os.mkfifo(result)
elif spec.startswith("link:"):
    result.symlink_to(spec[5:])
elif spec != "none":
    result.write_text(spec)
