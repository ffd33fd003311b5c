// Footnotes on a touch screen too narrow for sidenotes in the margin: a tap on a note's
// number shows the note under its line instead of jumping to the end of the page; another
// tap, a tap elsewhere or Escape hides it. A mouse or keyboard keeps the link (hover and
// focus show the note by CSS alone), and wide screens need no script at all.
(() => {
  const touch = window.matchMedia("(hover: none) and (max-width: 74.99rem)");
  const opened = () => document.querySelectorAll(".sidenote.is-open");
  const close = (except) => {
    for (const note of opened()) {
      if (note === except) continue;
      note.classList.remove("is-open");
      note.setAttribute("aria-hidden", "true");  // the list at the end is what is read
      note.previousElementSibling?.querySelector("a")?.setAttribute("aria-expanded", "false");
    }
  };
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("sup > a.footnote-ref");
    const note = link?.parentElement.nextElementSibling;
    if (!link || !touch.matches || !note?.classList.contains("sidenote")) {
      if (!event.target.closest?.(".sidenote")) close(null);
      return;
    }
    event.preventDefault();
    close(note);
    const open = note.classList.toggle("is-open");
    note.setAttribute("aria-hidden", String(!open));  // shown, so read where it is
    link.setAttribute("aria-expanded", String(open));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close(null);
  });
})();
