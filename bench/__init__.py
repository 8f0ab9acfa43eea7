"""`make bench`: figures for the goals in DESIGN.md "Performance". Entry point: bench/run.py."""
