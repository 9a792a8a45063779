"""What a route does to an alert: planned as data first, then executed.

Planning is pure (`plan.py`), so `kraken replay --dry-run` shows every action
without taking one; `execute.py` carries the plan out idempotently.
"""
