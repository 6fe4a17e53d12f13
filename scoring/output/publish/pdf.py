"""``通报.pdf``: the published page printed by a real browser engine — the system's Chromium (or Chrome,
or Edge) driven by Playwright — on A4, with page numbers and the tables' header rows repeated. Every
request the page would make is refused: the page is self-contained, and printing it reaches nowhere."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

from scoring.errors import ScoringError
from scoring.output.publish.cmap import readable_cmap

__all__ = ["BROWSER_VARIABLE", "BrowserMissing", "find_browser", "install_hint", "print_pdf", "readable_text"]

BROWSER_VARIABLE = "ZWGK_CHROMIUM"
"""The browser to print with, when it is not found by name (a path to chromium, chrome or msedge)."""

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "msedge")
WINDOWS = (
    r"Google\Chrome\Application\chrome.exe",
    r"Microsoft\Edge\Application\msedge.exe",
)
FONTS = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"


class BrowserMissing(ScoringError):
    """No browser to print the PDF with (or Playwright is not installed)."""


def install_hint() -> str:
    return (
        "生成 PDF 需要 Chromium 浏览器：Debian/Ubuntu 上运行 sudo apt-get install chromium fonts-noto-cjk"
        "（Ubuntu 也可用 snap install chromium）；Windows 上安装 Chrome 或使用自带的 Edge；"
        f"或用环境变量 {BROWSER_VARIABLE} 指定浏览器程序的路径"
    )


def find_browser() -> str | None:
    """The browser's executable: ``ZWGK_CHROMIUM`` when set, else the first of the usual names on PATH,
    else Chrome or Edge where Windows installs them."""
    named = os.environ.get(BROWSER_VARIABLE, "").strip()
    if named:
        return named if Path(named).is_file() else shutil.which(named)
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    for root in (os.environ.get("PROGRAMFILES"), os.environ.get("PROGRAMFILES(X86)")):
        for rel in WINDOWS:
            if root and (Path(root) / rel).is_file():
                return str(Path(root) / rel)
    return None


def _footer() -> str:
    # the templates are printed outside the page: their own font and size; pageNumber/totalPages filled in
    style = f"font-family:{FONTS};font-size:8pt;color:#333;width:100%;padding:0 12mm;"
    return (
        f'<div style="{style}display:flex;justify-content:space-between;">'
        f'<span class="title"></span><span>第 <span class="pageNumber"></span> 页，'
        f'共 <span class="totalPages"></span> 页</span></div>'
    )


def print_pdf(html: str, out: Path, *, browser: str | None = None) -> None:
    """Print ``html`` to ``out`` (A4 as the page's print CSS declares, page numbers in the footer).
    Raises :class:`BrowserMissing` without a browser or Playwright, ``ScoringError`` when printing fails."""
    executable = browser or find_browser()
    if executable is None:
        raise BrowserMissing(install_hint())
    try:
        from playwright.sync_api import Error as PlaywrightError, Route, sync_playwright
    except ImportError:
        raise BrowserMissing("生成 PDF 需要 Python 包 playwright：pip install playwright") from None

    def refuse(route: Route) -> None:
        route.abort()

    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=executable)
            try:
                page = chromium.new_page()
                page.route("**/*", refuse)
                page.set_content(html, wait_until="load")
                page.emulate_media(media="print")
                page.pdf(
                    path=str(out),
                    format="A4",
                    prefer_css_page_size=True,
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=_footer(),
                    outline=True,
                    tagged=True,
                )
            finally:
                chromium.close()
    except PlaywrightError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ScoringError(f"用浏览器 {executable} 生成 PDF 失败：{first}") from None
    readable_text(out)


def readable_text(path: Path) -> int:
    """Rewrite the fonts' ``ToUnicode`` maps of the PDF at ``path`` so its text is copied, searched and read
    aloud as printed (see :mod:`.cmap`); returns how many maps changed (the file is left as it was when
    none did)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import IndirectObject, StreamObject

    writer = PdfWriter(PdfReader(path), incremental=True)  # only the changed maps are appended
    done: set[int] = set()
    changed = 0
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {}).get_object()
        for ref in fonts.values():
            font = ref.get_object()
            for f in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                tu = f.get("/ToUnicode")
                if tu is None:
                    continue
                key = tu.idnum if isinstance(tu, IndirectObject) else id(tu)
                stream = tu.get_object()
                if key in done or not isinstance(stream, StreamObject):
                    continue
                done.add(key)
                text = stream.get_data().decode("latin-1")
                fixed = readable_cmap(text)
                if fixed != text:
                    stream.set_data(fixed.encode("latin-1"))
                    changed += 1
    if changed:
        data = io.BytesIO()
        writer.write(data)
        path.write_bytes(data.getvalue())
    return changed
