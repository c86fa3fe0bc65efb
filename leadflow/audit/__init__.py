"""The audit log: who changed what, field by field (docs/RELIABILITY.md, security baseline; docs/AUDIT.md).

PostgreSQL records it: triggers (django-pghistory) on the tables of the models named in
`settings.LEADFLOW_AUDITED_MODELS` copy each inserted, changed or deleted row into a history
table of this app, whatever wrote it: save(), QuerySet.update(), bulk_update(),
bulk_create(), raw SQL. The apps never learn about it (they may not import `leadflow`).

- Who: AuditMiddleware opens a `pghistory.context` for each request (the signed-in user or
  API token's user, read when the row is written) and Celery's signals one for each task
  (the system, naming the task); the triggers copy it into the row (recording.py).
- What: the tracked columns (tracking.py): not bookkeeping (timestamps, versions, scores,
  derived keys) and never secrets (passwords, token hashes); a new password is recorded as
  a fact without its value.
- Reading: history.py turns the rows into entries, one per object a request or task changed,
  with each field's value before and after; /audit/ (views.py) shows a manager their team's.
- Erasure (GDPR art. 17): erasure.py scrubs the person's values from the history.
- SQLite has no triggers: nothing is recorded there, and the page says so.

docs/AUDIT.md has the why, the costs measured, and what the signal-based log kept before.
"""
