"""The browser tests' fixtures (Debian's Chromium driven by Playwright), shared with tests/ui."""

from tests.ui.conftest import async_unsafe_allowed, browser, context, page  # noqa: F401
