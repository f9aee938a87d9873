-- The rule catalogue grows: a rule may declare a threshold (a count, `100`, or a share of the
-- rows checked, `5%`) above which a run stops; `count` rules count rows (a property of the
-- source, not a defect) without recording violations; table checks (volume, freshness, schema
-- drift) sit beside the row rules, and `stop` is the severity of a check that stops the run.
alter table dq.rules drop constraint rules_severity_check;
alter table dq.rules add constraint rules_severity_check
  check (severity in ('reject', 'nullify', 'warn', 'fix', 'count', 'stop'));
alter table dq.rules add column kind text not null default 'row' check (kind in ('row', 'table'));
alter table dq.rules add column threshold text;
