"""Phishing-report triage: parse, strip leaks, featurize, score, decide.

Imports point one way: ``parse``/``leakage`` -> ``features`` -> ``vectorize``
and ``guards`` -> ``model`` -> ``evaluate``/``pipeline`` -> ``registry``/``report``.
Parsing, features and guards do no I/O. The seam for the triage flow is
``kraken.phishing.model.PhishingModel.classify(_bytes)`` returning a
``Verdict``, with ``kraken.phishing.registry.PromotedModel`` supplying the
promoted model. See docs/phishing.md.
"""
