"""
What the SQLite and PostgreSQL stores do alike: summary and fact columns, the WHERE clause of a
query, the sealed form of a stored payload, denial rows and outbox rows.
"""
