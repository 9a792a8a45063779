"""Clients for the vendors Kraken writes to, one package per vendor.

All of them send through `kraken.connectors.http`, so timeouts, error mapping
and round-trip counting are decided once for every vendor.
"""
