"""gunicorn's settings for this project (it reads this file from the working directory)."""

# No limit of gunicorn's own on the request line: its largest finite one (8,190 bytes) is too
# short for the API's longest search, 1,000 characters of four bytes each (emoji), which is
# 12,000 bytes percent-encoded, and its refusal is an HTML page, not the API's JSON error. The
# API bounds every parameter itself; a proxy in front bounds the line in production.
limit_request_line = 0
