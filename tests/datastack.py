"""Room on CPython's frame stack for the tests, so deep call chains stop paying for it.

CPython keeps a thread's Python frames in chunks of 16 KiB, each mapped from the system when
the stack grows past the last one and unmapped as soon as the stack shrinks back below it.
Under pytest a test client's request runs some 150 frames deep (pytest's, then the
middleware, views, templates, the ORM): wherever a hot loop sits just at a chunk's edge, each
call down maps a chunk and each return unmaps it, ~9 µs instead of ~0.3 µs for a short call
chain. One module of page requests did it 84,000 times. `run(function)` calls `function`
from a frame so large that CPython gives it a chunk of 512 KiB with some 250 KiB free after
it: every frame below fits, so no chunk is mapped or unmapped until `function` returns.

Only the tests: an app server or the task worker starts its requests and tasks some ten
frames deep, and neither gunicorn with this around its workers nor the WSGI application
called from inside it in one process was measurably faster (bench data set, 2026-12-07).
"""

# The frame's own size: just over 256 KiB of local variables (8 bytes each) makes CPython round
# its chunk up to 512 KiB, leaving the rest, about 250 KiB (some 2,000 frames), below it.
_LOCALS = 256 * 1024 // 8 + 64

_SOURCE = (
    "def run(function, /, *args, **kwargs):\n"
    # Never executed: the names only make the frame large (the compiler keeps a slot for
    # every local name, assigned or not).
    "    if False:\n"
    f"        {', '.join(f'_{number}' for number in range(_LOCALS))} = None\n"
    "    return function(*args, **kwargs)\n"
)
_namespace = {}
exec(compile(_SOURCE, __name__, "exec"), _namespace)  # noqa: S102 (our own source, above)
run = _namespace["run"]
run.__doc__ = "function(*args, **kwargs), called with a deep frame stack to spare."
