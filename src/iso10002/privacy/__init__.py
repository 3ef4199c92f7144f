"""
Personal data (ISO 10002 4.10 confidentiality): kept apart from the hashed history so that it can
be erased while statistics and proofs survive; retention, legal hold and subject-access export.
"""
