"""Test modules longest first, so that two xdist workers finish together.

`make test` hands whole modules to the workers (`--dist loadscope`). In collection order,
or in xdist's own (most tests first), a module of a few long tests (the SQLite concurrency
test, the accessibility sweep) could start last and leave one worker running it alone while
the other had finished. Each parallel run records how long every module took (in pytest's
cache, .pytest_cache); the next run starts the longest ones first (the usual longest-first
rule for sharing jobs between machines; `make test` turns xdist's own reordering off).
Modules the record does not know yet go first of all; with no record at all, modules with
the most tests go first, as xdist would put them.

A fresh clone (CI) has no cache: it starts from tests/module_seconds.json, a record committed
beside this module (a few long modules last on one worker cost the first run ~20 s). Refresh
it from a run's record with `python tests/module_order.py`.
"""

import collections
import json
from pathlib import Path

CACHE_KEY = "tests/module-seconds"
COMMITTED = Path(__file__).with_name("module_seconds.json")


def committed_times():
    try:
        return json.loads(COMMITTED.read_text())
    except (OSError, ValueError):
        return {}


def module_of(nodeid):
    return nodeid.split("::", 1)[0]


def reorder(config, items):
    cache = getattr(config, "cache", None)
    known = {**committed_times(), **(cache.get(CACHE_KEY, {}) if cache is not None else {})}
    first_seen = {}
    counts = collections.Counter()
    for index, item in enumerate(items):
        module = module_of(item.nodeid)
        first_seen.setdefault(module, index)
        counts[module] += 1

    def weight(module):
        if not known:
            return counts[module]
        return known.get(module, float("inf"))

    # Stable: a module's tests stay together and in their own order.
    items.sort(
        key=lambda item: (-weight(module_of(item.nodeid)), first_seen[module_of(item.nodeid)])
    )


def records(config):
    """Whole modules timed by a parallel run's controller (`make test`, `pytest -n ...`): a
    run in one process, or of a few tests picked by name, would time something else."""
    option = config.option
    return (
        # `-n 0` (as for one module run alone) is a run in one process too.
        bool(getattr(option, "numprocesses", None))
        and not hasattr(config, "workerinput")
        and not option.keyword
        and not option.markexpr
    )


class Recorder:
    """Adds up each module's setup, call and teardown times (in the controller under xdist,
    which sees every worker's reports) and keeps them for the next run."""

    def __init__(self, config):
        self.config = config
        self.seconds = collections.Counter()

    def pytest_runtest_logreport(self, report):
        self.seconds[module_of(report.nodeid)] += report.duration

    def pytest_sessionfinish(self, session):
        cache = getattr(self.config, "cache", None)
        if cache is None or not self.seconds:
            return
        known = cache.get(CACHE_KEY, {})
        known.update({module: round(seconds, 2) for module, seconds in self.seconds.items()})
        cache.set(CACHE_KEY, known)


if __name__ == "__main__":
    # The last parallel run's record (.pytest_cache) becomes the committed one.
    root = Path(__file__).resolve().parent.parent
    recorded = json.loads((root / ".pytest_cache" / "v" / CACHE_KEY).read_text())
    kept = {module: seconds for module, seconds in recorded.items() if (root / module).exists()}
    COMMITTED.write_text(json.dumps(dict(sorted(kept.items())), indent=1) + "\n")
