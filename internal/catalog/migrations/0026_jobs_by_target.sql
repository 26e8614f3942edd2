-- The queue loses its index by target. A purge of 100,000 photos queues
-- about 800,000 jobs, and each wrote the index at a random place: at ten
-- million photos, with millions of jobs queued, 8,000 jobs took 280 to
-- 440 ms to queue with it and 80 ms without. The jobs done leave it at
-- random places too. It served one question, whether a file that no
-- photo claims is waiting for its deletion, which picup verify now asks
-- once for all such files, reading the queue (Catalog.PendingDeletions).
DROP INDEX jobs_by_target;
