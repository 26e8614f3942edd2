-- "picup jobs ls --failed" and "picup jobs retry --all" look for the jobs
-- that failed at least once, and found them by reading the whole queue:
-- a purge at ten million photos queues 800,000 jobs, and a queue of 5.6
-- million took minutes to list. This index holds the failed ones only;
-- the runner writes to it when a job fails, not when one is queued or
-- done at its first attempt.
CREATE INDEX jobs_failed ON jobs (id) WHERE state = 'dead' OR attempts > 0;
