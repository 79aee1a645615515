"""Page-scoped states: translate UI events into service calls."""
