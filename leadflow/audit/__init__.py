"""The audit log: who changed what, field by field (RELIABILITY.md's security baseline).

The apps never learn about it (they may not import `leadflow`): `AuditConfig.ready()`
connects pre_save, post_save and post_delete for the models named in
`settings.LEADFLOW_AUDITED_MODELS`, and `AuditMiddleware` remembers the request being
served, so that a save can tell who made it.

What is recorded:
- Creates and changes made by a signed-in person, through a page or the API (session or
  API token). A change is diffed against the row in the database (one query, in pre_save);
  a save that changes nothing records nothing.
- Every delete, also one made with nobody signed in (the entry then has no actor and says
  which task or command it came from): deletes are rare and lose data.
- When a person is erased (GDPR art. 17, a handoff.Erasure row), their leads' and deals'
  entries lose the values and names they kept; who changed which field, and when, stays.

What is not:
- System writes: Celery tasks, scoring and re-scoring, imports run by the worker, commands,
  migrations, and captures by anonymous visitors. They are the product's own bookkeeping or
  volume, and the capture path must pay nothing: pre_save returns before any query when no
  one is signed in.
- Bookkeeping fields (auto_now timestamps, non-editable keys, `version` counters, …); and
  secrets (passwords, tokens) are noted as changed but their values are never stored.
- QuerySet.update(), bulk_update() and bulk_create(): they send no signals, so they leave no
  entry (e.g. sales' stage re-ordering and handoff's routing-rule re-ordering). A write that
  must be audited goes through Model.save() or delete().
"""
