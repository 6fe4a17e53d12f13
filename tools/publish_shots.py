"""The README's screenshots of the published page: ``python -m tools.publish_shots`` computes the shipped
2021 year, renders its page as ``score publish`` does and shoots it with the system's Chromium at a phone's
width (375 px) and a desktop's (1280 px) into docs/images/."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

from scoring import compute, load_year
from scoring.output.publish.model import build_report
from scoring.output.publish.page import render_page
from scoring.output.publish.pdf import find_browser

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"


def main() -> None:
    result = compute(load_year(2021, ROOT / "indicators" / "2021", ROOT / "data" / "2021"))
    html = render_page(build_report(result, dt.date(2022, 1, 20)))
    browser = find_browser() or shutil.which("chromium")
    if browser is None:
        raise SystemExit("没有 Chromium：apt-get install chromium fonts-noto-cjk")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=browser)
        phone = b.new_page(viewport={"width": 375, "height": 760}, device_scale_factor=2, is_mobile=True)
        phone.route("**/*", lambda route: route.abort())
        phone.set_content(html)
        phone.evaluate("document.getElementById('c1').scrollIntoView()")
        phone.screenshot(path=str(IMAGES / "publish-phone-375.png"))
        desktop = b.new_page(viewport={"width": 1280, "height": 860})
        desktop.route("**/*", lambda route: route.abort())
        desktop.set_content(html)
        desktop.evaluate("document.getElementById('c1').scrollIntoView()")
        desktop.screenshot(path=str(IMAGES / "publish-desktop-1280.png"))
        b.close()
    print(f"截图已写入 {IMAGES}")


if __name__ == "__main__":
    main()
