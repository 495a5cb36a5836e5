"""Background work kept in the database: leases on claimed work, and periodic slots.

The task queue (``web/jobs``) only carries messages ("run match run 12"); what a job has done,
who is doing it and until when lives here, so a killed worker, a message delivered twice or a
second machine never makes the work happen twice or hang as "running".
"""
