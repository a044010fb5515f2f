"""Issue 8's browser test: a moderator in headless Chromium (Debian's
package, driven by Playwright through the system browser) works the queue.

The screenshot of the queue lands in DATA_DIR/screenshots/moderation-queue.png
(var/test/screenshots/ under `make test`)."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from recipes_api.moderation.models import AuditEntry, Flag, ModerationItem
from recipes_api.moderation.services import report_file
from recipes_api.sharing.services import share_create
from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = pytest.mark.django_db(transaction=True)


def act(page, item_id: int, action: str, reason: str) -> None:
    page.check(f'input[name="_selected_action"][value="{item_id}"]')
    page.select_option('select[name="action"]', action)
    page.click('button[name="index"]')
    page.fill('textarea[name="reason"]', reason)
    page.click('input[name="apply"]')
    page.wait_for_selector(".messagelist")


def test_a_moderator_works_the_queue_in_a_browser(live_server, alice, bob, moderator, make_recipe):
    items = []
    for owner, title, color in [(alice, "Soup", "red"), (alice, "Salad", "green"), (bob, "Tart", "blue")]:
        recipe = make_recipe(owner, color=color, title=title)
        share_create(owner=owner, recipe_id=recipe.id)
        items.append(ModerationItem.objects.get(recipe=recipe).pk)
    Flag.objects.create(item_id=items[1], kind=Flag.Kind.LOW_CONFIDENCE, detail="confidence 0.2")
    report_file(item=ModerationItem.objects.get(pk=items[2]), reason="spam", reporter=alice, reporter_key=str(alice.pk))
    screenshot = Path(settings.DATA_DIR) / "screenshots" / "moderation-queue.png"
    screenshot.parent.mkdir(parents=True, exist_ok=True)

    with _browser() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 800})
        page.goto(f"{live_server.url}/admin/login/?next=/admin/moderation/moderationitem/")
        page.fill("#id_username", "dora")
        page.fill("#id_password", PASSWORD)
        page.click('input[type="submit"]')
        page.wait_for_selector("#result_list")
        page.wait_for_load_state("load")
        widths = page.eval_on_selector_all("img.moderation-thumb", "imgs => imgs.map(i => i.complete && i.naturalWidth)")
        titles = page.inner_text("#result_list")

        act(page, items[0], "approve", "looks delicious")
        act(page, items[1], "hide", "copied from a cookbook")
        page.goto(f"{live_server.url}/admin/moderation/moderationitem/")
        page.wait_for_load_state("load")
        page.screenshot(path=str(screenshot), full_page=True)
        audit_page = page.goto(f"{live_server.url}/admin/moderation/auditentry/")
        audit_text = page.inner_text("#result_list")

    assert len(widths) == 3 and all(width > 0 for width in widths), widths
    assert titles.index("Soup") < titles.index("Salad") < titles.index("Tart")
    states = dict(ModerationItem.objects.values_list("pk", "state"))
    assert [states[pk] for pk in items] == ["approved", "hidden", "pending"]
    entries = {(e.action, e.actor_name, e.reason, e.target_id) for e in AuditEntry.objects.all()}
    assert entries == {("approve", "dora", "looks delicious", str(items[0])), ("hide", "dora", "copied from a cookbook", str(items[1]))}
    assert audit_page.ok and "looks delicious" in audit_text and "copied from a cookbook" in audit_text
    assert screenshot.stat().st_size > 10_000


def _browser():
    """Playwright's sync API runs an event loop, inside which Django refuses
    ORM calls: the test does all its database work outside this block."""
    import contextlib

    @contextlib.contextmanager
    def launched():
        if not Path(CHROMIUM).exists():
            pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (.ci/run installs it)")
        sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements.txt)")
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            try:
                yield browser
            finally:
                browser.close()

    return launched()
