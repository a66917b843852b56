// The Cite box: a Copy button beside each citation style.
(function () {
  if (!navigator.clipboard) return;  // only secure contexts (https, localhost) have a clipboard
  for (const block of document.querySelectorAll(".cite [data-copy]")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy " + block.dataset.copy;
    button.addEventListener("click", async function () {
      try {
        await navigator.clipboard.writeText(block.textContent);
        button.textContent = "Copied";
      } catch (e) {
        button.textContent = "Select the text to copy it";
      }
    });
    block.after(button);
  }
})();
