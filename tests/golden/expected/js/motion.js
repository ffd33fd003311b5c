// Block animations are muted, looping videos without the autoplay attribute: this starts
// them, unless the reader asked for reduced motion, and stops them if the reader asks
// for it later. A video the reader paused or started stays as the reader left it.
(() => {
  const reduce = window.matchMedia("(prefers-reduced-motion: reduce)");
  const videos = () => document.querySelectorAll("video[data-motion]");
  const apply = () => {
    for (const video of videos()) {
      if (reduce.matches) {
        video.pause();
      } else if (video.paused && !video.dataset.touched) {
        video.play().catch(() => {}); // a browser may refuse; the controls are still there
      }
    }
  };
  for (const video of videos()) {
    // A reader's own pause or play (not ours) is left alone afterwards.
    video.addEventListener("pause", () => { if (!reduce.matches && !video.ended) video.dataset.touched = "1"; });
  }
  apply();
  reduce.addEventListener("change", apply);
})();
