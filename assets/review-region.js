/* global document -- this file runs in the browser */
// Drawing a box on a review page's image, to remove what is in it. Progressive enhancement only:
// without JavaScript the review still works (phrases, whole pages), and this form stays hidden.
const area = document.querySelector("[data-region-drawing]");
const form = document.querySelector("[data-region-form]");
const image = area?.querySelector("img");

if (area && form && image) {
  const scale = Number(area.getAttribute("data-scale")) || 1.5;
  const box = document.createElement("div");
  box.className = "steward-review-page__box";
  box.hidden = true;
  area.append(box);
  let start;

  /** A point on the image, in its own pixels (the image may be shown smaller than it is). */
  const pointOf = (event) => {
    const bounds = image.getBoundingClientRect();
    const x = Math.min(Math.max(event.clientX - bounds.left, 0), bounds.width);
    const y = Math.min(Math.max(event.clientY - bounds.top, 0), bounds.height);
    return { x, y, ratio: image.naturalWidth / bounds.width };
  };
  const show = (a, b) => {
    box.hidden = false;
    box.style.left = `${Math.min(a.x, b.x)}px`;
    box.style.top = `${Math.min(a.y, b.y)}px`;
    box.style.width = `${Math.abs(a.x - b.x)}px`;
    box.style.height = `${Math.abs(a.y - b.y)}px`;
  };
  // Drawing is a mode the person turns on: otherwise a finger on the image scrolls and zooms the page as usual.
  let drawing = false;
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "govuk-button govuk-button--secondary";
  toggle.textContent = "Draw a box to remove";
  toggle.setAttribute("aria-pressed", "false");
  toggle.addEventListener("click", () => {
    drawing = !drawing;
    toggle.setAttribute("aria-pressed", String(drawing));
    toggle.textContent = drawing ? "Stop drawing" : "Draw a box to remove";
    image.style.cursor = drawing ? "crosshair" : "";
    image.style.touchAction = drawing ? "none" : "";
  });
  image.addEventListener("pointerdown", (event) => {
    if (!drawing) return;
    event.preventDefault();
    start = pointOf(event);
    image.setPointerCapture(event.pointerId);
  });
  image.addEventListener("pointermove", (event) => {
    if (start) show(start, pointOf(event));
  });
  image.addEventListener("pointerup", (event) => {
    if (!start) return;
    const end = pointOf(event);
    show(start, end);
    // Page points, from the top left: pixels on screen → the image's pixels → points.
    const points = (value) => String(Math.round(((value * start.ratio) / scale) * 10) / 10);
    form.elements.namedItem("x0").value = points(Math.min(start.x, end.x));
    form.elements.namedItem("y0").value = points(Math.min(start.y, end.y));
    form.elements.namedItem("x1").value = points(Math.max(start.x, end.x));
    form.elements.namedItem("y1").value = points(Math.max(start.y, end.y));
    start = undefined;
    form.hidden = false;
    // Keep the box in view: the form's choice of reason is focused without scrolling away from it.
    form.querySelector("select")?.focus({ preventScroll: true });
  });
  const hint = document.createElement("p");
  hint.className = "govuk-body-s";
  hint.textContent = "To remove part of the page by hand, choose Draw a box to remove, then draw over it on the image.";
  area.after(hint, toggle);
}
