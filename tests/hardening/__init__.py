"""Hardening tests: every parser and importer refuses bad input only with the library's errors."""
