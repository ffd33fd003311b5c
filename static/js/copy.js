// Copy buttons: each copies the text of the element its data-copy names, and says so in the
// page's status line for screen readers. Without JavaScript the buttons stay hidden and the
// text can be selected by hand.
(() => {
  const copy = async (text) => {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      return false;
    }
  };
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      const done = await copy(source.textContent);
      if (!done) {  // no clipboard access: select the text for the reader to copy
        const range = document.createRange();
        range.selectNodeContents(source);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
      }
      const status = button.closest("section")?.querySelector(".copy-status");
      const label = done ? "Copied" : "Selected: press Ctrl+C to copy";
      button.textContent = done ? "Copied" : "Copy";
      if (status) status.textContent = label;
      setTimeout(() => { button.textContent = "Copy"; }, 2000);
    });
  }
})();
