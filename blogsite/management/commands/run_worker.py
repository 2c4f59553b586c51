"""`db_worker` that outlives a database outage: it waits and carries on instead of exiting.

django-tasks' worker stops at the first OperationalError; in production a two-second database
blip would then stall every newsletter until someone restarted it.
"""

import logging
import signal
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger(__name__)

FIRST_DELAY = 1.0
# Short enough that a newsletter resumes within seconds of the database coming back.
MAX_DELAY = 5.0


class Command(db_worker.Command):
    help = "Run the task worker; a database outage makes it wait and retry, not exit."

    def handle(self, *args, **options):
        delay = FIRST_DELAY
        while True:
            try:
                return super().handle(*args, **options)
            except (OperationalError, InterfaceError) as error:
                logger.warning("Database unavailable (%s); retrying in %.0f s.", error, delay)
                connections.close_all()
                # The stopped worker's handlers would swallow Ctrl-C and SIGTERM while we wait.
                signal.signal(signal.SIGINT, signal.default_int_handler)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                time.sleep(delay)
                delay = min(delay * 2, MAX_DELAY)
