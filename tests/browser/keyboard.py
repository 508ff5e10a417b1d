"""Keyboard-only use: Tab through a page and check that focus can always be seen.

Focus counts as visible when the focused element draws an outline or a box shadow of a
colour that is not transparent, or, failing that, when the pixels around it differ
with and without focus (a page free to show focus its own way, e.g. a background).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  window.__tabStops = window.__tabStops || {ids: new WeakMap(), next: 0};
  const seen = window.__tabStops;
  if (!seen.ids.has(el)) seen.ids.set(el, seen.next++);
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const name = el.getAttribute("aria-label") || label || el.innerText || el.value
    || el.getAttribute("title") || el.getAttribute("name") || "";
  const clear = (colour) => colour === "transparent" || /rgba\\(.*,\\s*0\\)$/.test(colour);
  return {
    id: seen.ids.get(el),
    tag: el.tagName.toLowerCase(),
    role: el.getAttribute("role") || "",
    name: name.trim().replace(/\\s+/g, " ").slice(0, 80),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
      && !clear(style.outlineColor),
    shadow: style.boxShadow !== "none" && !clear(style.boxShadow.split(" ")[0]),
    box: {x: box.x, y: box.y, width: box.width, height: box.height},
    onScreen: box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth,
  };
}"""


@dataclass(frozen=True)
class Stop:
    """One element Tab reached: what it is, and how its focus shows (or "" if not)."""

    tag: str
    role: str
    name: str
    shown_by: str
    on_screen: bool

    def __str__(self) -> str:
        return f"<{self.tag}{' role=' + self.role if self.role else ''}> {self.name!r}"


def _pixels_differ(page: Page, box: dict[str, float]) -> bool:
    """Whether the area around the focused element looks different once it is blurred."""
    viewport = page.viewport_size or {"width": 1280, "height": 800}
    pad = 6
    x, y = max(box["x"] - pad, 0), max(box["y"] - pad, 0)
    clip = {
        "x": x,
        "y": y,
        "width": max(min(box["x"] + box["width"] + pad, viewport["width"]) - x, 1),
        "height": max(min(box["y"] + box["height"] + pad, viewport["height"]) - y, 1),
    }
    focused = page.screenshot(clip=clip)  # type: ignore[arg-type]
    page.evaluate("() => { window.__blurred = document.activeElement; __blurred.blur(); }")
    blurred = page.screenshot(clip=clip)  # type: ignore[arg-type]
    page.evaluate("() => window.__blurred.focus({focusVisible: true})")
    return focused != blurred


def _stop(page: Page, info: dict[str, Any]) -> Stop:
    shown_by = "outline" if info["outline"] else "box-shadow" if info["shadow"] else ""
    if not shown_by and info["onScreen"] and _pixels_differ(page, info["box"]):
        shown_by = "pixels"
    return Stop(info["tag"], info["role"], info["name"], shown_by, info["onScreen"])


def tab_through(page: Page, max_stops: int = 200) -> list[Stop]:
    """Press Tab from where focus is (a fresh page: its top) until focus leaves the page
    or comes round again; every element reached, in order."""
    stops: list[Stop] = []
    seen: set[int] = set()
    for _ in range(max_stops):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUSED)
        if info is None or info["id"] in seen:
            return stops
        seen.add(info["id"])
        stops.append(_stop(page, info))
    raise AssertionError(f"Tab reached more than {max_stops} elements on {page.url}")


def assert_focus_visible(stops: list[Stop]) -> None:
    """Every stop shows its focus and is scrolled into view (WCAG 2.4.7, 2.4.11)."""
    assert stops, "Tab reached nothing on the page"
    hidden = [str(s) for s in stops if not s.shown_by or not s.on_screen]
    assert not hidden, "focus cannot be seen on: " + "; ".join(hidden)


def tab_to(page: Page, target: Locator, max_stops: int = 100) -> int:
    """Press Tab until ``target`` has focus (checking that focus shows at each stop);
    returns how many presses it took."""
    for presses in range(1, max_stops + 1):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUSED)
        if info is not None:
            assert_focus_visible([_stop(page, info)])
        if target.evaluate("el => el === document.activeElement"):
            return presses
    raise AssertionError(f"Tab never reached {target} in {max_stops} presses")
