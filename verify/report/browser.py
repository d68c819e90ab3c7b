"""Headless Chromium for looking at a report as a reader would (Debian's ``chromium``).

- :func:`screenshot`: a PNG of the page, full length up to ``max_height``;
- :func:`dump_dom`: the DOM after the page ran (used by the browser test to
  read back what a probe script found).

Chromium runs with networking reduced to nothing: background services off and
every host name resolving to "not found", so a page cannot reach the outside
even if it tried.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
         "--mute-audio", "--host-resolver-rules=MAP * ~NOTFOUND", "--force-device-scale-factor=1"]


class BrowserUnavailable(RuntimeError):
    """No Chromium on this machine (``apt-get install chromium``)."""


def find_chromium() -> str | None:
    env = os.environ.get("EQPROP_CHROMIUM")
    if env:
        return env
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    exe = find_chromium()
    if exe is None:
        raise BrowserUnavailable("no chromium found; install Debian's chromium package (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="eqprop-chromium-") as profile:
        cmd = [exe, *FLAGS, f"--user-data-dir={profile}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def file_url(path: str) -> str:
    return "file://" + os.path.abspath(path)


def screenshot(html_path: str, png_path: str, *, width: int = 1280, height: int = 2400,
               timeout: float = 120, budget_ms: int = 3000) -> str:
    """A ``width`` x ``height`` PNG of the page at ``html_path``; returns ``png_path``."""
    png_path = os.path.abspath(png_path)
    proc = _run([f"--window-size={width},{height}", f"--virtual-time-budget={budget_ms}",
                 "--run-all-compositor-stages-before-draw", f"--screenshot={png_path}", file_url(html_path)],
                timeout)
    if not os.path.exists(png_path):
        raise RuntimeError(f"chromium wrote no screenshot (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return png_path


def dump_dom(html_path: str, *, timeout: float = 120, budget_ms: int = 3000, width: int = 1280,
             height: int = 2400) -> str:
    """The serialised DOM after the page loaded and its scripts ran (``--dump-dom``)."""
    proc = _run([f"--window-size={width},{height}", f"--virtual-time-budget={budget_ms}", "--dump-dom",
                 file_url(html_path)], timeout)
    if proc.returncode != 0 and not proc.stdout:
        raise RuntimeError(f"chromium --dump-dom failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout
