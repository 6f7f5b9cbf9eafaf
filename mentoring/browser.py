"""How Constellation drives a browser (the browser tests, ``make screenshots``).

Debian's Chromium, never a browser Playwright downloads, with the flags that let it run
headless on a server. No Django import: ``docs/screenshots.py`` uses this outside it.
"""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
