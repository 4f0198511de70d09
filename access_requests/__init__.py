"""Requests for access to public documents (Law 06/L-081) and the complaints about them to AIP."""
