"""Requests from the centre to many institutions at once, and the institutions'
communication plans."""
