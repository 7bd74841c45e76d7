"""The persister: every job event into Postgres (jobs, job_events, product_design), batched."""

from consumers.persister.service import Persister

__all__ = ["Persister"]
