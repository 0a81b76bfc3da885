"""Benchmark of the client portal (issue 10): seed data, a ceiling view, the runner. Not part of make test."""
