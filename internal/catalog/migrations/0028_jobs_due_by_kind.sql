-- Due jobs are looked up by kind. A command's housekeeping runs only the
-- jobs it can do without a remote (file deletions), and jobs_due (state,
-- next_at) made it walk past every due remote deletion first: with
-- 800,000 of them due, finding none of its own took 205 ms, and a purge
-- at ten million photos queues that many. The index now leads with the
-- kind, and each kind's due jobs are read from their own range.
DROP INDEX jobs_due;
CREATE INDEX jobs_due ON jobs (state, kind, next_at);
