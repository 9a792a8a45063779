"""`kraken demo`: the whole alert path against the simulators on loopback."""
