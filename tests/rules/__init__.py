"""Tests of the pure rules of SPEC §4 (no database, no Flask): boundaries and hypothesis properties."""
