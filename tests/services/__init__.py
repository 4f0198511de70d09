"""The servers the test run needs, set up as a newcomer's Debian machine would set them up.

`python -m tests.services DATABASE_URL BROKER_URL` (called by `make test` and `make bench`)
makes PostgreSQL and Redis answer on loopback: quiet when they already do; otherwise installs
the Debian packages when missing (as root or with sudo), starts the servers and creates the
suite's role and database. `tests.services.elasticsearch` runs a search node for the test run.
"""
