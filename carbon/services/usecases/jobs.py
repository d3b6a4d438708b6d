"""Jobs: the recomputation an import, a feed or a contract queued, and its outcome."""

from __future__ import annotations

from carbon.domain.errors import NotFound
from carbon.services import access, auth, jobs
from carbon.services.views import JobView
from carbon.store.db import Database


def job(db: Database, job_id: int, *, by: auth.Principal | None) -> JobView:
    """A job: its requesters and administrators may see it (``access.may_read_job``);
    anyone else is told it does not exist."""
    p = access.require_login(by)
    j = jobs.job_view(db, job_id)
    if not access.may_read_job(p, j):
        raise NotFound(f"no job {job_id} / 任务{job_id}不存在")  # as for one that does not exist
    return access.job_view_for(p, jobs.job_dict(j, db.settings.jobs))
