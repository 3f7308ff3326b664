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

// Flags and entitlements: a targeting rule is linted by the server as it is typed (400 ms after the last
// key), its issues shown beside it; without this script, Save reports the same issues there.
for (const editor of document.querySelectorAll("textarea[data-lint]")) {
  const output = document.getElementById(editor.dataset.lintOutput);
  const csrf = editor.form && editor.form.querySelector("input[name='csrf']");
  if (!output || !csrf) continue;
  let timer;
  let latest = 0;
  editor.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const request = ++latest;
      try {
        const response = await fetch(editor.dataset.lint, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ csrf: csrf.value, rule: editor.value }),
          credentials: "same-origin",
        });
        if (!response.ok || request !== latest) return;
        const answer = await response.json();
        output.textContent = answer.valid ? "Valid" : answer.issues.join(" ");
        output.classList.toggle("field-error", !answer.valid);
        output.classList.toggle("lint-valid", answer.valid);
        editor.setAttribute("aria-invalid", String(!answer.valid));
      } catch {
        // Offline or signed out: Save still checks the rule.
      }
    }, 400);
  });
}

// A strategy shows only the fields its chosen type uses; without this script all are shown and the type decides.
for (const strategy of document.querySelectorAll("[data-strategy]")) {
  const type = strategy.querySelector("[data-strategy-type]");
  if (!type) continue;
  const show = () => {
    for (const part of strategy.querySelectorAll("[data-strategy-part]")) part.hidden = part.dataset.strategyPart !== type.value;
  };
  type.addEventListener("change", show);
  show();
}
