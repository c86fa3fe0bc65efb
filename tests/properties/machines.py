"""What the stage-machine properties share: each generated run on real rows, rolled back after.

A machine's steps call the services as the roles who may (a marketer, a salesperson, their
manager) and the seam do, with generated choices; its invariants read the database after
every step. A run happens inside a savepoint of the test's transaction, so the next run
starts from the people the test made, with none of the rows the last run wrote.
"""

from django.db import transaction
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test


def runs(*, examples: int, steps: int) -> settings:
    """Modest on purpose: every step is a few real queries. No example database on disk (CI
    starts clean; the shrunk failing run is printed)."""
    return settings(max_examples=examples, stateful_step_count=steps, deadline=None, database=None)


class OnRealRows(RuleBasedStateMachine):
    """A machine whose run is undone when it ends."""

    people = None  # set by run(): the test's cast, built once for every run

    def __init__(self):
        super().__init__()
        self._savepoint = transaction.savepoint_create()

    def teardown(self):
        transaction.savepoint_rollback(self._savepoint)


def run(machine: type[OnRealRows], people, how: settings) -> None:
    machine.people = people
    run_state_machine_as_test(machine, settings=how)


def row(model, pk: int) -> dict:
    """Every column of one row as stored now (what a refusal must leave as it was)."""
    return model._default_manager.values().get(pk=pk)
