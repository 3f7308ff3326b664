"""Drives the console in a real headless Chromium: every page visit checks what a user (or an assistive
technology) would notice: no JavaScript error in the browser log, no serious or critical accessibility
violation (axe-core), and a screenshot at desktop and phone widths kept as a test artifact."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.common.by import By

ARTIFACTS = Path(os.environ.get("KAITEN_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / ".test-artifacts")) / "console"
WIDTHS = {"desktop": (1280, 800), "phone": (375, 800)}


def start_chromium(javascript: bool = True) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"), options=options)


class Console:
    """A browser on one `kaiten dev`'s console."""

    def __init__(self, driver: webdriver.Chrome, origin: str):
        self.driver = driver
        self.origin = origin

    def open(self, path: str) -> None:
        self.driver.get(self.origin + path)

    def visit(self, path: str, name: str | None = None) -> None:
        """Opens a page and checks it as a user would meet it; `name` names its screenshots."""
        self.open(path)
        self.check(name or re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-"))

    def check(self, name: str) -> None:
        # A page's own 4xx (a refused form's 422, "Restricted access") is the answer the test expects; a
        # failing script, stylesheet or image, or any script error, is not.
        errors = [
            entry
            for entry in self.driver.get_log("browser")
            if entry["level"] == "SEVERE" and (entry.get("source") != "network" or "/console/static/" in entry["message"])
        ]
        assert not errors, f"JavaScript errors on {self.driver.current_url}: {errors}"
        axe = Axe(self.driver)
        axe.inject()
        violations = [v for v in axe.run()["violations"] if v["impact"] in ("serious", "critical")]
        assert not violations, f"accessibility violations on {self.driver.current_url}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in violations
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for label, (width, height) in WIDTHS.items():
            self.driver.set_window_size(width, height)
            self.driver.execute_script("window.scrollTo(0, 0)")
            self.driver.save_screenshot(str(ARTIFACTS / f"{name}-{label}.png"))
        self.driver.set_window_size(*WIDTHS["desktop"])

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def fill(self, fields: dict[str, str]) -> None:
        for name, value in fields.items():
            element = self.find(f"[name='{name}']")
            if element.tag_name == "select":
                from selenium.webdriver.support.ui import Select

                Select(element).select_by_value(value)
            else:
                element.clear()
                element.send_keys(value)

    def submit(self, target="main form button[type='submit']") -> None:
        """Clicks a form's button or a link (`target`: a CSS selector or the element) and waits for the page the
        answer brings (a click returns before it arrives)."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        button = self.find(target) if isinstance(target, str) else target
        button.click()

        def replaced(_) -> bool:
            try:
                button.is_enabled()
                return False
            except WebDriverException:  # stale, or its node left the document: either way, a new page
                return True

        WebDriverWait(self.driver, 15).until(replaced)

    @property
    def heading(self) -> str:
        return self.find("main h1").text

    @property
    def notice(self) -> str:
        notices = self.find_all("main .notice")
        return notices[0].text if notices else ""

    @property
    def text(self) -> str:
        return self.find("main").text

    def sign_in_with_token(self, token: str) -> None:
        self.open("/console/sign-in")
        self.fill({"token": token})
        self.submit()

    def session_cookie(self) -> str | None:
        cookie = self.driver.get_cookie("kaiten_console_session")
        return cookie["value"] if cookie else None


def console_http(origin: str, session: str | None = None) -> httpx.Client:
    """Plain HTTP to the console, for what a browser would not send (forged posts, tampered cookies)."""
    cookies = {"kaiten_console_session": session} if session else None
    return httpx.Client(base_url=origin, cookies=cookies, follow_redirects=False)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page carries no CSRF token"
    return match.group(1)
