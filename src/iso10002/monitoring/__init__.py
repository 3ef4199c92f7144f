"""Monitoring and analysis (ISO 10002 8.2 to 8.4): KPIs, trends, root causes, reports."""
