"""The use cases, one function each, shared by the CLI and the HTTP API.

Each opens its own units of work (one commit, or none for reads), so an entry point opens
none itself. Who may do what is decided by the named policies of
``carbon.services.access``; what comes back is plain data, typed by
``carbon.services.views``. One module per resource:

- ``database``: opening the database
- ``imports``: uploads, import records, an enterprise's imports, error workbooks, the template
- ``jobs``: a job's status
- ``enterprises``: an enterprise, a page of them, an account
- ``ratings``: a rating, a rating history, a page of ratings
- ``regions``: a region's summary and monthly report
- ``recalculation``: recomputing years with chosen versions
- ``reference``: factor sets and methodologies
- ``audit``: the audit log and its export
- ``charts``: an enterprise's charts
- ``feeds``: meter readings
- ``peer_benchmarks``: a year's benchmarks
- ``contracts``: supplier contracts
- ``consents``: bank consent and the reads of an enterprise's data
- ``sign_in``, ``users``, ``tokens``: logins, sessions, users, bearer tokens
- ``open_statistics``: open data
- ``identity_changes``: requests to change an enterprise's name or codes, decided by an
  official (module functions: ``usecases.identity_changes.approve(...)``)
- ``maintenance``: upgrade, backup, restore, the app role, the audit chain's check
"""

from __future__ import annotations

from carbon.services.usecases import identity_changes, maintenance
from carbon.services.usecases.audit import audit_export, audit_log
from carbon.services.usecases.charts import CHART_FORMATS, CHART_KINDS, chart
from carbon.services.usecases.consents import (
    accesses,
    consent_institutions,
    grant_consent,
    list_consents,
    revoke_consent,
)
from carbon.services.usecases.contracts import record_supplier_contract, supplier_contracts
from carbon.services.usecases.database import open_database
from carbon.services.usecases.enterprises import account, enterprise, enterprises_page, monthly_accounts
from carbon.services.usecases.feeds import push_readings
from carbon.services.usecases.imports import (
    enterprise_imports,
    import_error_workbook,
    import_file,
    import_record,
    purge_rejected_files,
    template,
)
from carbon.services.usecases.jobs import job
from carbon.services.usecases.open_statistics import OPEN_DATA_FORMATS, open_data
from carbon.services.usecases.peer_benchmarks import benchmarks
from carbon.services.usecases.ratings import rating, rating_history, ratings_after, ratings_page
from carbon.services.usecases.recalculation import recalc
from carbon.services.usecases.reference import (
    reference_document,
    reference_list,
    reference_publish,
    reference_retire,
)
from carbon.services.usecases.regions import monthly_report, monthly_report_file, region_tables, summary
from carbon.services.usecases.sign_in import (
    close_session,
    login,
    open_session,
    principal_from_session,
    principal_from_token,
)
from carbon.services.usecases.tokens import create_token, my_tokens, revoke_token
from carbon.services.usecases.users import create_user, demo_users, disable_user, list_users, set_password

__all__ = [
    "close_session",
    "identity_changes",
    "maintenance",
    "open_session",
    "purge_rejected_files",
    "CHART_FORMATS",
    "CHART_KINDS",
    "OPEN_DATA_FORMATS",
    "accesses",
    "account",
    "audit_export",
    "audit_log",
    "benchmarks",
    "chart",
    "consent_institutions",
    "create_token",
    "create_user",
    "demo_users",
    "disable_user",
    "enterprise",
    "enterprise_imports",
    "enterprises_page",
    "grant_consent",
    "import_error_workbook",
    "import_file",
    "import_record",
    "job",
    "list_consents",
    "list_users",
    "login",
    "monthly_accounts",
    "monthly_report",
    "monthly_report_file",
    "my_tokens",
    "open_data",
    "open_database",
    "principal_from_session",
    "principal_from_token",
    "push_readings",
    "rating",
    "rating_history",
    "ratings_after",
    "ratings_page",
    "recalc",
    "record_supplier_contract",
    "reference_document",
    "reference_list",
    "reference_publish",
    "reference_retire",
    "revoke_consent",
    "revoke_token",
    "set_password",
    "region_tables",
    "summary",
    "supplier_contracts",
    "template",
]
