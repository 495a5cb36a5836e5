"""Background work on a kept task queue (Huey): SQLite in the instance folder by default, Redis
when ``MAKKER_QUEUE_URL``/``REDIS_URL`` is set. Workers run with ``makker worker`` (and beside
the web server in ``makker serve``). See docs/decisions/0009-task-queue.md.

- ``enqueue("match_run", run.id)`` from a view or a command puts work on the queue;
- ``@job()`` / ``@periodic(daily_at(7, 0))`` in ``web/jobs/tasks.py`` add a job (one line each).
"""

from web.jobs.queue import JobContext, Queue, enqueue, get_queue, init_app
from web.jobs.registry import daily_at, every, every_minute, job, periodic

__all__ = ["JobContext", "Queue", "daily_at", "enqueue", "every", "every_minute", "get_queue", "init_app",
           "job", "periodic"]
