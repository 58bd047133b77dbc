"""The Dagster UI in a real headless Chromium, as a person reads it, after a real pipeline
run over a small generated source: `analytics ui` (the console script, PATH without the
virtualenv) on the warehouse and the Dagster instance the run used.

Five pages are opened and screenshotted (ANALYTICS_UI_ARTIFACTS, default
test-artifacts/ui/): the asset lineage, raw/events' partitions, the daily active users
metric's GX check partitions, the pipeline job's runs, the schedules. Every page is
visited even when an earlier one shows the wrong state; the test fails at the end listing
each page that did.

Needs Debian's `chromium` and `chromium-driver` (.ci/run installs them); Selenium is
pointed at both explicitly and offline, so Selenium Manager never downloads a browser.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from support.ui import bare_env, running_ui

from analytics_assets.grains import DAILY, MONTHLY, WEEKLY
from analytics_assets.quality_checks import CHECK_PREFIX
from demo_source.generator import GenerationSpec, generate

# A pipeline run, the UI's start and a browser: about two minutes.
pytestmark = pytest.mark.long

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("ANALYTICS_UI_ARTIFACTS") or REPO / "test-artifacts" / "ui")

START, END = date(2026, 1, 1), date(2026, 1, 4)  # three days, the project's first partitions
DAYS = [(START + timedelta(days=n)).isoformat() for n in range((END - START).days)]
SPEC = GenerationSpec(users=40, days=len(DAYS), end=END - timedelta(days=1), seed=7)
PIPELINE_JOB = DAILY.job
METRIC = "analytics/fct_metric_engagement_active_users_daily"
METRIC_CHECK = f"{CHECK_PREFIX}fct_metric_engagement_active_users_daily"
PAGE_TIMEOUT_S = 60  # the first page waits for the code location to load
STATE_TIMEOUT_S = 20  # a page that has loaded shows its state within seconds
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Browser:
    """Headless Chromium on the UI: open a page, wait for text, read it, screenshot it."""

    def __init__(self, base_url: str, artifacts: Path) -> None:
        if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
            pytest.fail(
                f"{CHROMIUM} and {CHROMEDRIVER} are needed: apt-get install chromium "
                "chromium-driver"
            )
        os.environ["SE_OFFLINE"] = "true"  # Selenium Manager: never download anything
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for arg in (
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--window-size=1600,1000",
        ):
            options.add_argument(arg)
        self.driver = webdriver.Chrome(
            service=Service(executable_path=str(CHROMEDRIVER)), options=options
        )
        self.base_url, self.artifacts = base_url, artifacts
        artifacts.mkdir(parents=True, exist_ok=True)

    def close(self) -> None:
        self.driver.quit()

    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def open(self, path: str, *expected: str, timeout: float = PAGE_TIMEOUT_S) -> None:
        self.driver.get(self.base_url + path)
        self.wait_for(*expected, timeout=timeout)

    def wait_for(self, *expected: str, timeout: float = STATE_TIMEOUT_S) -> None:
        """Until the page shows every text in `expected` (TimeoutException otherwise)."""
        WebDriverWait(self.driver, timeout, poll_frequency=0.5).until(
            lambda _: all(text in self.text() for text in expected)
        )

    def until(self, found: Callable[[], object], timeout: float = STATE_TIMEOUT_S) -> object:
        return WebDriverWait(self.driver, timeout, poll_frequency=0.5).until(lambda _: found())

    def click_text(self, text: str, index: int = 0) -> None:
        matches = self.driver.find_elements(By.XPATH, f"//*[normalize-space(text())='{text}']")
        matches[index].click()

    def expand_group(self, group: str) -> None:
        """Unfold a group of the lineage page's sidebar (its caret), listing its assets."""
        self.driver.find_element(
            By.XPATH,
            f"//*[@title='{group}']/ancestor::*[.//*[@aria-label='arrow_drop_down']][1]"
            "//*[@aria-label='arrow_drop_down']",
        ).click()

    def screenshot(self, name: str) -> Path:
        path = self.artifacts / f"{name}.png"
        self.driver.save_screenshot(str(path))
        print(f"screenshot: {path}")
        return path

    # The partitions panels (an asset's, a check's) filter by status with checkboxes
    # labelled "<status> (<count>)" and list the partitions shown.

    def status_counts(self) -> dict[str, int]:
        counts = {}
        for label in self.driver.find_elements(By.XPATH, "//label[.//input[@type='checkbox']]"):
            match = re.fullmatch(r"(.+) \((\d+)\)", label.text.strip())
            if match:
                counts[match[1]] = int(match[2])
        return counts

    def show_only(self, status: str) -> None:
        for label in self.driver.find_elements(By.XPATH, "//label[.//input[@type='checkbox']]"):
            name = re.sub(r" \(\d+\)$", "", label.text.strip())
            if (name == status) != label.find_element(By.TAG_NAME, "input").is_selected():
                label.click()

    def partitions_listed(self) -> list[str]:
        titles = (
            e.get_attribute("title") for e in self.driver.find_elements(By.XPATH, "//*[@title]")
        )
        return sorted({t for t in titles if t and DAY_RE.match(t)})


@pytest.fixture
def warehouse(env):
    """A small warehouse built by a real run; the environment (database URLs, DAGSTER_HOME)
    stays set for the UI, which then shows that run."""
    from analytics_assets.runner import run_range

    generate(env.source, SPEC)
    summary = run_range(START, END)
    assert summary.success, summary.render()
    return summary


def test_the_ui_shows_the_run_its_partitions_checks_and_schedules(warehouse, tmp_path):
    began = time.monotonic()
    problems: list[str] = []

    def page(name: str, visit: Callable[[], None]) -> None:
        try:
            visit()
        except (TimeoutException, AssertionError) as err:
            problems.append(f"{name}: {str(err).strip() or type(err).__name__}")
        finally:
            browser.screenshot(name)

    with running_ui(bare_env(), tmp_path / "ui.log") as ui:
        ui.wait_until_serving()
        browser = Browser(ui.url, ARTIFACTS)
        try:

            def lineage() -> None:
                groups = ("raw", "staging", "marts", "daily", "weekly", "monthly")
                browser.open("/asset-groups", "Global asset lineage", *groups)
                browser.expand_group("raw")
                browser.wait_for("events", "users")

            def raw_partitions() -> None:
                browser.open("/assets/raw/events?view=partitions", "Materialized (")
                counts = browser.status_counts()
                assert counts.get("Materialized") == len(DAYS), counts
                browser.show_only("Materialized")
                listed = browser.until(browser.partitions_listed)
                assert listed == DAYS, f"materialized partitions listed: {listed}"

            def check_partitions() -> None:
                browser.open(
                    f"/assets/{METRIC}?view=checks&checkDetail={METRIC_CHECK}", METRIC_CHECK
                )
                browser.click_text("Partitions", index=-1)  # the check's tab, not the asset's
                browser.wait_for("Passed (")
                try:
                    browser.wait_for(f"Passed ({len(DAYS)})")
                except TimeoutException:
                    raise AssertionError(
                        f"each processed day should show as Passed; counts: "
                        f"{browser.status_counts()}"
                    ) from None
                browser.show_only("Passed")
                listed = browser.until(browser.partitions_listed)
                assert listed == DAYS, f"passed partitions listed: {listed}"

            def job_runs() -> None:
                browser.open(
                    f"/locations/analytics/jobs/{PIPELINE_JOB}/runs", PIPELINE_JOB, "Status"
                )
                short_ids = [run_id[:8] for run_id in warehouse.run_ids]
                try:
                    browser.wait_for(short_ids[0])
                except TimeoutException:
                    shown = "No runs found" if "No runs found" in browser.text() else "other runs"
                    raise AssertionError(f"run {short_ids[0]} not listed ({shown})") from None

            def schedules() -> None:
                browser.open(
                    "/automation", DAILY.schedule, WEEKLY.schedule, MONTHLY.schedule, "Scheduled At"
                )

            page("1-asset-lineage", lineage)
            page("2-raw-events-partitions", raw_partitions)
            page("3-dau-check-partitions", check_partitions)
            page("4-pipeline-job-runs", job_runs)
            page("5-schedules", schedules)
        finally:
            browser.close()
        assert ui.stop() == 0
    print(f"browser test: {time.monotonic() - began:.0f} s after the pipeline run")
    assert not problems, "\n".join(problems)
