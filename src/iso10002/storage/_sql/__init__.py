"""
What the SQLite and PostgreSQL stores do alike: the migrations (one list, the same version
numbers on both), the upgrade runner and its data steps, summary and fact columns, the WHERE
clause of a query, the sealed form of a stored payload, denial rows and outbox rows, the
repair of summaries from their events (``iso10002 repair``) and the report of a vacuum.
"""
