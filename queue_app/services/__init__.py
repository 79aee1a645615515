"""Use cases: plain functions taking `session` and `now`, owning their transaction."""
