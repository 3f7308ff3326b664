// Kaiten console: the few things HTML cannot do alone. Every page works without this file.
"use strict";

// A slug field follows its name field as the user types, until the user edits the slug itself.
for (const slug of document.querySelectorAll("input[data-slug-from]")) {
  const source = document.getElementById(slug.dataset.slugFrom);
  if (!source) continue;
  let edited = slug.value !== "";
  slug.addEventListener("input", () => { edited = slug.value !== ""; });
  source.addEventListener("input", () => {
    if (edited) return;
    slug.value = source.value.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63);
  });
}

// Copy buttons copy the text of the element they name.
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const target = document.getElementById(button.dataset.copy);
    if (!target) return;
    try {
      await navigator.clipboard.writeText(target.textContent.trim());
      button.textContent = "Copied";
    } catch {
      const range = document.createRange();
      range.selectNodeContents(target);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      button.textContent = "Selected: press Ctrl+C";
    }
  });
}
