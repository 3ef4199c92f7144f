"""Tests of the ``iso10002`` command line, run in-process and as a real subprocess."""
