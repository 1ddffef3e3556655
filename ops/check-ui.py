#!/usr/bin/env python3
"""The browser half of ops/check-ui: drives headless Chromium through the dashboard of a live `tock dev` with API
keys, and checks what it shows and does against the HTTP API. Environment (set by ops/check-ui): TOCK_UI_API,
TOCK_UI_SINK, TOCK_UI_ADMIN_KEY, TOCK_UI_TEAM_A_KEY, TOCK_UI_TEAM_B_KEY, TOCK_UI_SCREENSHOTS."""
import json
import os
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

API = os.environ["TOCK_UI_API"]
SINK = os.environ["TOCK_UI_SINK"]
ADMIN = os.environ["TOCK_UI_ADMIN_KEY"]
TEAM_A = os.environ["TOCK_UI_TEAM_A_KEY"]
TEAM_B = os.environ["TOCK_UI_TEAM_B_KEY"]
SHOTS = os.environ["TOCK_UI_SCREENSHOTS"]


def call(method, path, key, body=None):
    request = urllib.request.Request(
        API + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def eventually(what, check, within=20.0):
    deadline = time.monotonic() + within
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            sys.exit(f"check-ui: timed out waiting for {what}")
        time.sleep(0.2)


def fail(message):
    sys.exit(f"check-ui: {message}")


# Team A: one job that succeeds, one that fails at once (the sink answers 404: not retried) — a dead letter.
succeeded = call("POST", "/v1/jobs", TEAM_A, {"url": f"{SINK}/hello", "body": "hi"})["id"]
failed = call("POST", "/v1/jobs", TEAM_A, {"url": f"{SINK}/status/404", "body": "no", "max_attempts": 1})["id"]
# Team B's job must never show on team A's pages.
hidden = call("POST", "/v1/jobs", TEAM_B, {"url": f"{SINK}/hello", "delay": "1h"})["id"]
call("PUT", "/v1/flows/partner-a", TEAM_A, {"rate": "50/s", "concurrency": 4})
call("PUT", "/v1/flows/partner-b", TEAM_B, {"rate": "1/s"})
eventually("team A's jobs to finish", lambda: (
    call("GET", f"/v1/jobs/{succeeded}", TEAM_A)["state"] == "succeeded"
    and call("GET", f"/v1/jobs/{failed}", TEAM_A)["state"] == "failed"))

options = webdriver.ChromeOptions()
for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900"):
    options.add_argument(argument)
options.binary_location = "/usr/bin/chromium"
browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(browser, 15)
try:
    # Signing in: the overview sends an unknown visitor to the login page; a wrong key is refused.
    browser.get(API + "/ui/")
    wait.until(expected_conditions.presence_of_element_located((By.ID, "key")))
    browser.save_screenshot(f"{SHOTS}/login.png")
    browser.find_element(By.ID, "key").send_keys("not-a-key")
    browser.find_element(By.ID, "sign-in").click()
    wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".error")))
    browser.find_element(By.ID, "key").send_keys(TEAM_A)
    browser.find_element(By.ID, "sign-in").click()
    wait.until(expected_conditions.presence_of_element_located((By.ID, "job-counts")))
    counts = browser.find_element(By.ID, "job-counts").text
    if "1\nsucceeded" not in counts or "1\nfailed" not in counts:
        fail(f"the overview's counts are not team A's: {counts!r}")
    if browser.find_elements(By.ID, "cluster"):
        fail("a tenant's key sees the Raft group, an administrator's view")
    browser.save_screenshot(f"{SHOTS}/overview.png")

    # Jobs: team A's two, not team B's.
    browser.get(API + "/ui/jobs")
    table = wait.until(expected_conditions.presence_of_element_located((By.ID, "jobs"))).text
    if succeeded not in table or failed not in table:
        fail(f"the jobs page lacks team A's jobs: {table!r}")
    if hidden in table:
        fail("team B's job shows on team A's jobs page")
    browser.save_screenshot(f"{SHOTS}/jobs.png")
    browser.get(API + f"/ui/jobs/{hidden}")
    wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".error")))

    # Dead letters: the failed job.
    browser.get(API + "/ui/dead-letters")
    table = wait.until(expected_conditions.presence_of_element_located((By.ID, "jobs"))).text
    if failed not in table or succeeded in table:
        fail(f"the dead letters are not the failed job: {table!r}")
    browser.save_screenshot(f"{SHOTS}/dead-letters.png")

    # Flows: team A's, with its limits.
    browser.get(API + "/ui/flows")
    table = wait.until(expected_conditions.presence_of_element_located((By.ID, "flows"))).text
    if "partner-a" not in table or "50/s" not in table or "partner-b" in table:
        fail(f"the flows page is not team A's flow: {table!r}")
    browser.save_screenshot(f"{SHOTS}/flows.png")

    # A job: open it from the list, press Retry, accept the confirmation.
    browser.get(API + "/ui/jobs?state=failed")
    wait.until(expected_conditions.element_to_be_clickable((By.LINK_TEXT, failed))).click()
    fields = wait.until(expected_conditions.presence_of_element_located((By.ID, "fields"))).text
    if f"{SINK}/status/404" not in fields:
        fail(f"the job page does not show its URL: {fields!r}")
    browser.save_screenshot(f"{SHOTS}/job.png")
    before = call("GET", f"/v1/jobs/{failed}", ADMIN)
    browser.find_element(By.XPATH, "//form[contains(@action, '/retry')]//button").click()
    wait.until(expected_conditions.alert_is_present()).accept()
    notice = wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".notice"))).text
    if not notice.startswith("Done"):
        fail(f"no notice after Retry: {notice!r}")
    browser.save_screenshot(f"{SHOTS}/job-retried.png")
    after = eventually("the retried run to finish", lambda: (
        (job := call("GET", f"/v1/jobs/{failed}", ADMIN))["run"] > before["run"] and job["state"] == "failed" and job))
    print(f"check-ui: retry made run {after['run']} of {failed} (was {before['run']})")
except Exception:
    print(f"check-ui: at {browser.current_url}:\n{browser.page_source[:3000]}", file=sys.stderr)
    browser.save_screenshot(f"{SHOTS}/failure.png")
    raise
finally:
    browser.quit()
print("check-ui: every page seen, the retry made a new run")
