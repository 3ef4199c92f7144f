"""The handling process: workflows as data, their guards, and the standard ISO 10002 workflow."""
