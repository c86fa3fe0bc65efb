"""The Celery app: configured from Django settings (CELERY_* names), tasks autodiscovered."""

import logging
import os
from functools import partial

from celery import Celery, Task, signals
from celery.exceptions import Reject
from kombu.transport import TRANSPORT_ALIASES

# The on-disk broker of `make run` (leadflow/broker.py), as the URL scheme leadflowfs://.
TRANSPORT_ALIASES.setdefault("leadflowfs", "leadflow.broker:Transport")

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadflow.settings")
logger = logging.getLogger(__name__)
# acks_late + reject_on_worker_lost redeliver a task whose worker died mid-run. A task
# that kills its worker every time would be redelivered forever; stop after this many.
MAX_DELIVERIES = 5


class LeadFlowTask(Task):
    def delay_on_commit(self, *args, **kwargs) -> None:
        """Publish after the surrounding transaction commits, and never fail the caller.

        A broker that is down would otherwise raise from the on_commit hook after the row
        is already saved (a 500 for work that succeeded). `robust=True` logs the error
        instead; the reconciliation sweep re-drives the work from database state.
        """
        from django.db import transaction

        transaction.on_commit(partial(self.delay, *args, **kwargs), robust=True)

    def before_start(self, task_id, args, kwargs) -> None:
        from django.core.cache import cache

        key = f"celery-deliveries:{task_id}"
        try:
            cache.add(key, 0, timeout=24 * 3600)
            deliveries = cache.incr(key)
        except Exception:  # no cache, no cap: running the task is the safer failure
            return
        if deliveries > MAX_DELIVERIES:
            logger.error("dropping task %s[%s] after %d deliveries", self.name, task_id, MAX_DELIVERIES)
            raise Reject(f"delivered {deliveries} times", requeue=False)


app = Celery("leadflow", task_cls=LeadFlowTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fixup closes the database connection around every task unless told to
# reuse it (152 vs 420 DB tasks/s here); the signals below do Django's own per-request
# cleanup instead, which also drops a connection broken by a PostgreSQL restart.
app.conf.CELERY_DB_REUSE_MAX = 1_000_000
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def close_old_connections(**kwargs) -> None:
    from django.db import close_old_connections

    close_old_connections()
