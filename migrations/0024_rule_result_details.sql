-- A rule result says what a table check measured (`staged 800 rows, the previous full load 1000
-- (-20%)`), and whether the run stopped on it.
alter table dq.rule_results add column detail text;
alter table dq.rule_results add column threshold_exceeded boolean not null default false;
