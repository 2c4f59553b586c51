"""Every model change has its migration: `makemigrations --check` finds nothing to write.

(Run inside the suite, on a worker that has Django loaded already, rather than as a process
of its own before it: a second and a half of `make test` less.)"""

import pytest
from django.core.management import call_command


def test_no_model_change_lacks_a_migration(db):
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    except SystemExit as exit_:
        pytest.fail(f"a model change has no migration (makemigrations exited {exit_.code})")
