"""The on-disk broker `make run` uses when no Redis is configured: kombu's filesystem
transport, made safe for a worker that reads the folder while web and beat write to it.

kombu creates a message file and then writes into it; a worker listing the folder in
between took the still-empty file and died on it (JSONDecodeError, after about 1.5 hours of
the demo), and honcho then stopped web and beat with it. Here a message is written under a
name no queue reads and renamed into place (a rename within one folder is atomic), and a
file that cannot be read as a message is logged and skipped instead of ending the worker.
"""

import logging
import os
import uuid
from queue import Empty
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

logger = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # kombu's own name (time first: the folder is read in name order). The scratch copy
        # starts with a dot, so no queue reads it: kombu reads only "<id>.<queue>.msg".
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        scratch = os.path.join(self.data_folder_out, f".{name}")
        try:
            with open(scratch, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(scratch, final)
        except OSError as error:
            raise filesystem.ChannelError(f"Cannot add {name!r} to {self.data_folder_out!r}") from error

    def _get(self, queue):
        try:
            return super()._get(queue)
        except ValueError:  # not a message (empty, truncated): lose the file, not the worker
            logger.warning("skipped an unreadable message file in queue %s", queue)
            raise Empty() from None


class Transport(filesystem.Transport):
    Channel = Channel
