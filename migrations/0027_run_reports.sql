-- The run report (lib/report/): where a run's report was uploaded, so that the run summary can
-- name it without asking the bucket, and the stamp the report says it was generated at, kept so
-- that building it again (a retried activity) gives the same bytes.
alter table etl.runs
  add column report_key text,
  add column report_bytes bigint,
  add column report_generated_at timestamptz;
