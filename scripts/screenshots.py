"""Take full-page screenshots of the portal's pages at desktop and phone widths.

Serves the app from a database you point it at (the demo one by default),
writes PNGs into ./screenshots/ (ignored by git) and reports any page that
scrolls sideways. Usage::

    .venv/bin/python scripts/screenshots.py [--url-list PATH ...]
"""

import argparse
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_app

PAGES = ["/", "/capabilities", "/capabilities?q=member&layer=business-platform",
         "/capabilities/youku-membership", "/capabilities/new",
         "/capabilities/youku-membership/edit", "/teams", "/domains", "/businesses",
         "/businesses/taobao", "/auth/login", "/capabilities/nothing-here"]
# Phones are shot as the first screenful (a 5,000 px tall strip is unreadable);
# the sideways-scroll check still covers the whole page.
VIEWPORTS = {"desktop": (1280, 900, True), "phone": (390, 1000, False)}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*", default=PAGES)
    parser.add_argument("--user", default="admin", help="demo login used for the form pages")
    parser.add_argument("--password", default="demo-admin-pass")
    parser.add_argument("--out", default="screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for label, (width, height, full_page) in VIEWPORTS.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(base + "/auth/login")
            page.fill("#username", args.user)
            page.fill("#password", args.password)
            page.click("button[type=submit]")
            for path in args.paths:
                page.goto(base + path)
                page.wait_for_load_state("networkidle")  # charts and graphs drawn
                name = path.strip("/").replace("/", "_").replace("?", "_").replace("&", "_") or "home"
                target = out / f"{name}-{label}.png"
                page.screenshot(path=str(target), full_page=full_page)
                wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
                print(f"{target}{'  SCROLLS SIDEWAYS' if wide else ''}")
            page.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
