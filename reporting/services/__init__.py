"""The state changes of reporting, one module per concern.

``report_requests``: asking for a report and retrying a failed one (it queues the job of
``reporting.tasks``); ``report_jobs``: what that job does to its request, and the nightly snapshots. The
package imports neither, so the job's module can use ``report_jobs`` while ``report_requests`` queues it.
"""
