import uuid

import pytest
from celery.exceptions import Reject

from handoff.tasks import reconcile
from leadflow.celery import MAX_DELIVERIES


def test_a_task_redelivered_too_often_is_dropped_instead_of_looping():
    task_id = str(uuid.uuid4())
    for _ in range(MAX_DELIVERIES):
        reconcile.before_start(task_id, (), {})
    with pytest.raises(Reject):
        reconcile.before_start(task_id, (), {})


def test_each_task_id_has_its_own_delivery_count():
    for _ in range(MAX_DELIVERIES):
        reconcile.before_start(str(uuid.uuid4()), (), {})  # never raises
