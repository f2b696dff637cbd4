"""Audit history: who changed what, when, on issues, contracts, evaluations and posts (django-simple-history)."""
