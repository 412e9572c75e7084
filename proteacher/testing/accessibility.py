"""What the accessibility sweep checks on a page: axe-core's WCAG 2.1 A and AA rules, and that a
phone's width needs no sideways scrolling.

axe-core is the copy bundled with axe-playwright-python, run inside the page by Playwright (the
page's Content-Security-Policy does not apply to what the test evaluates). Only the rules tagged
for WCAG 2.0/2.1 levels A and AA are run: best-practice rules are advice, not the bar.
"""

from dataclasses import dataclass

from axe_playwright_python.sync_playwright import Axe

WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_A_AA}, "resultTypes": ["violations"]}
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}

_axe = Axe()


@dataclass(frozen=True)
class Finding:
    url: str
    width: int
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        where = ", ".join(self.targets[:3]) + (" …" if len(self.targets) > 3 else "")
        return f"{self.url} @{self.width}px {self.rule} ({self.impact}): {self.help} — {where}"


def axe_findings(page, width: int) -> list[Finding]:
    """The page's violations of WCAG 2.1 A/AA rules, as axe-core reports them."""
    results = _axe.run(page, options=AXE_OPTIONS)
    return [
        Finding(
            url=page.url,
            width=width,
            rule=violation["id"],
            impact=violation.get("impact") or "",
            help=violation["help"],
            targets=tuple(" ".join(map(str, node["target"])) for node in violation["nodes"]),
        )
        for violation in results.response["violations"]
    ]


# The widest element that sticks out past the viewport, to name in a failure.
_OVERFLOW = """
() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  // An element inside a box that scrolls or clips sideways does not widen the page.
  const clipped = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  let widest = null;
  for (const element of document.body.querySelectorAll("*")) {
    const right = element.getBoundingClientRect().right;
    if (right > width + 1 && (!widest || right >= widest.right) && !clipped(element)) {
      const classes = typeof element.className === "string" ? element.className.trim() : "";
      const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
        + (classes ? "." + classes.split(/\\s+/).join(".") : "");
      widest = {name: name, right: Math.round(right)};
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, widest: widest};
}
"""


def sideways_overflow(page) -> str:
    """ "" when the page fits the window's width (scrollWidth <= innerWidth); otherwise what sticks out."""
    found = page.evaluate(_OVERFLOW)
    if not found:
        return ""
    widest = found["widest"] or {"name": "?", "right": "?"}
    width = page.viewport_size["width"]
    return f"{page.url}: scrollWidth {found['scrollWidth']} > {width} ({widest['name']} to {widest['right']}px)"
