"""
Audit (ISO 10002 8.5, 8.6): principles, criteria evaluated against configuration and history,
findings, reports, management review.
"""
