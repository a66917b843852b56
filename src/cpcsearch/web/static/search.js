// The search form: completions as one types, and links without empty parameters.
(function () {
  const input = document.getElementById("q");
  const list = document.getElementById("suggestions");
  if (!input || !list) return;
  let timer = null;
  let controller = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(async function () {
      const q = input.value.trim();
      if (q.length < 2) { list.replaceChildren(); return; }
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const response = await fetch("/api/suggest?q=" + encodeURIComponent(q), { signal: controller.signal });
        if (!response.ok) return;
        const data = await response.json();
        list.replaceChildren(...data.suggestions.map(function (s) {
          const option = document.createElement("option");
          option.value = s.text;  // textContent-free: values are never parsed as HTML
          return option;
        }));
      } catch (e) { /* an aborted or failed request leaves the list as it was */ }
    }, 80);
  });
})();

// Submit only the fields a reader filled in, so result URLs stay short and shareable.
(function () {
  const form = document.querySelector("form.search");
  if (!form) return;
  form.addEventListener("submit", function () {
    for (const field of form.querySelectorAll("input, select")) {
      const isDefault = field.name === "sort" && field.value === "relevance";
      if (field.name !== "q" && (!field.value || isDefault)) field.disabled = true;
    }
  });
  // Coming back through the history restores the page as it was, disabled fields included.
  window.addEventListener("pageshow", function () {
    for (const field of form.querySelectorAll(":disabled")) field.disabled = false;
  });
})();

// On a phone the facets sit above the hits (see style.css), folded until the reader asks.
(function () {
  const facets = document.querySelector("aside.facets");
  if (!facets || !facets.children.length) return;
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "refine-toggle";
  toggle.textContent = "Refine results";
  toggle.setAttribute("aria-expanded", "false");
  toggle.addEventListener("click", function () {
    const open = facets.classList.toggle("collapsed") === false;
    toggle.setAttribute("aria-expanded", String(open));
  });
  facets.classList.add("collapsed");
  facets.prepend(toggle);
})();
