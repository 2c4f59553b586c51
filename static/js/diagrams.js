/* Draws the article's Mermaid diagrams with our own copy of Mermaid (static/vendor/mermaid/),
   loaded only on pages that have one. Each diagram's source stays on the page, as code, under
   the drawing: without script, or when Mermaid cannot read it, that is what the reader sees. */
(async function () {
  "use strict";
  const sources = Array.from(document.querySelectorAll("pre.mermaid"));
  if (!sources.length || !window.mermaid) return;
  const root = document.documentElement;
  const dark = root.dataset.theme === "dark" ||
    (root.dataset.theme !== "light" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  // "strict": Mermaid sanitizes labels itself and runs no click handlers or HTML in them.
  window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });
  const label = document.body.dataset.diagramSourceLabel || "Diagram source";
  let number = 0;
  for (const pre of sources) {
    number += 1;
    try {
      const { svg } = await window.mermaid.render(`diagram-${number}`, pre.textContent);
      const figure = document.createElement("figure");
      figure.className = "diagram";
      figure.innerHTML = svg;
      const details = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = label;
      pre.replaceWith(figure);
      details.append(summary, pre);
      figure.append(details);
    } catch (error) {
      pre.classList.add("mermaid-failed");
      document.getElementById(`ddiagram-${number}`)?.remove();
    }
  }
})();
