"""`journeybot serve` in a real headless Chromium (Debian's chromium + chromedriver, driven by selenium):
the workshop link (with its token) loads the page, the browser keeps the token as a cookie for the
WebSocket, the app starts in the browser terminal, and a message typed in the page reaches the bot,
which stores it and asks the next question (read back from the session database).

Set JOURNEYBOT_BROWSER_SCREENSHOT=/path/file.png to keep a screenshot of the page."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from journeybot.store.sessions import SessionStore
from tests.support import system_tools

pytestmark = pytest.mark.slow



def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


TOKEN = "browser-test-token-0123456789"


def _wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
            with urllib.request.urlopen(request, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def browser_paths() -> tuple[str, str]:
    """Chromium and chromedriver, checked before the server starts (skipped or failed when missing)."""
    return system_tools.chromium()


@pytest.fixture
def served(browser_paths: tuple[str, str], tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "journeybot", "serve", "--port", str(port), "--model", "none", "--lang", "en",
         "--token", TOKEN],
        stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ),
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/", 30)
        yield f"http://127.0.0.1:{port}/?token={TOKEN}"  # the workshop link, as printed
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _sessions_messages() -> list[tuple[str, str]]:
    with SessionStore() as store:
        out: list[tuple[str, str]] = []
        for info in store.sessions():
            out += [(m.role, m.text) for m in store.messages(info.id)]
        return out


def test_the_app_works_in_a_real_browser(browser_paths: tuple[str, str], served: str, tmp_path: Path) -> None:
    chromium, driver_path = browser_paths
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,900",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.get(served)
        assert "data-session-websocket-url" in driver.page_source  # textual-serve's page, not an error
        box = WebDriverWait(driver, 30).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".xterm-helper-textarea")))
        # The app is up once the interview has asked its first question (stored when it is shown).
        deadline = time.monotonic() + 90  # a loaded 2-core machine starts the app slowly
        while not any(role == "assistant" for role, _ in _sessions_messages()):
            assert time.monotonic() < deadline, "the app never started in the browser"
            time.sleep(0.3)
        time.sleep(1.0)  # let the first frame reach the page
        driver.find_element(By.CSS_SELECTOR, ".xterm-screen").click()  # focus the page's terminal
        assert driver.switch_to.active_element == box
        ActionChains(driver).send_keys("We want to know why new customers give up during sign-up").perform()
        ActionChains(driver).send_keys(Keys.ENTER).perform()
        deadline = time.monotonic() + 30
        while True:
            messages = _sessions_messages()
            users = [i for i, (role, text) in enumerate(messages) if role == "user" and "give up" in text]
            if users and any(role == "assistant" for role, _ in messages[users[0] + 1:]):
                break
            assert time.monotonic() < deadline, f"the typed message did not reach the bot: {messages}"
            time.sleep(0.3)
        next_question = next(text for role, text in messages[users[0] + 1:] if role == "assistant")
        assert "journey" in next_question.lower()
        time.sleep(1.0)
        shot = os.environ.get("JOURNEYBOT_BROWSER_SCREENSHOT")
        png = driver.get_screenshot_as_png()
        assert len(png) > 10_000  # a painted page, not a blank one
        if shot:
            Path(shot).write_bytes(png)
    finally:
        driver.quit()
