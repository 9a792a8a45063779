"""Prometheus metrics, reports and dashboards."""
