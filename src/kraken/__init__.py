"""Kraken: SOC automation between OpsGenie, SIEMs, ServiceNow and Cofense Triage."""

__version__ = "0.1.0"
