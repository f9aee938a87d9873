-- The rules a row failed in its run (any severity), beside its verdict. A reprocess tells from
-- them which of its batch's violations failed again, rather than rewriting every violation it
-- found again (docs/reprocessing.md).
alter table dq.verdicts add column failed_rules text[] not null default '{}';
