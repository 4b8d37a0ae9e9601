"""The monitor: deadlines, rules, findings, alerts and the scheduler. Reads the store, never the crawler."""
