"""The on-disk broker of `make run` (leadflow/broker.py): a half-written message never ends a worker."""

from pathlib import Path

import pytest
from kombu import Connection

from leadflow.broker import Transport


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path


def connect(folder: Path) -> Connection:
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "control_folder": str(folder / "control"),
               "polling_interval": 0.01}  # fmt: skip
    return Connection("filesystem://", transport=Transport, transport_options=options)


def test_make_run_s_broker_is_named_by_its_url_and_a_redis_url_still_means_redis():
    from leadflow.celery import app

    assert Connection("leadflowfs://").get_transport_cls() is Transport
    # The fault tests publish to a Redis of their own by URL, whatever broker is configured.
    with app.connection_for_write("redis://127.0.0.1:6379/0") as connection:
        assert connection.get_transport_cls().__module__ == "kombu.transport.redis"


def test_a_message_put_is_delivered_whole(folder):
    with connect(folder) as connection:
        queue = connection.SimpleQueue("whole")  # a queue per test: kombu keeps bindings per process
        queue.put({"lead": 42})
        message = queue.get(timeout=1)
        message.ack()
    assert message.payload == {"lead": 42}
    assert [path.name for path in folder.iterdir() if path.name.startswith(".")] == []  # no scratch left


def test_an_empty_message_file_is_skipped_and_the_next_message_still_arrives(folder):
    with connect(folder) as connection:
        queue = connection.SimpleQueue("skipping")
        # What kombu's own put leaves for an instant: the file created, nothing written yet.
        (folder / "0_00000000-0000-0000-0000-000000000000.skipping.msg").write_bytes(b"")
        queue.put({"lead": 7})
        message = queue.get(timeout=1)
        message.ack()
    assert message.payload == {"lead": 7}
