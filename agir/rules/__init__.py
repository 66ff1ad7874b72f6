"""Pure rules of SPEC §4: no database, no Flask; plain values in, verdicts or RuleViolation out."""
