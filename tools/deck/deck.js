// A deck at 1280×720: reveal.js, MathJax 3, then every slide fitted to the screen. Pictures grow into the
// room a slide leaves (up to 1.8× their size: figure text readable from the back) or shrink to half;
// only a slide still too tall after that is scaled down whole (its scale is kept in data-fit).
(function () {
  const W = 1280, H = 720, ROOM = H - 40, MAX_GROW = 1.8, MIN_SHRINK = 0.5;   // ROOM: clear of the slide number

  function leaves() {
    return [...document.querySelectorAll('.reveal .slides section')].filter(s => !s.querySelector('section'));
  }

  function measured(section, fn) {   // lay the slide out (reveal hides far ones) while fn measures it
    const chain = [section, section.parentElement.closest('section')].filter(Boolean);
    const saved = chain.map(s => [s.style.display, s.hidden]);
    chain.forEach(s => { s.style.display = 'block'; s.hidden = false; });
    try { return fn(); } finally { chain.forEach((s, i) => { s.style.display = saved[i][0]; s.hidden = saved[i][1]; }); }
  }

  function fit(section) {
    return measured(section, () => {
      const pictures = [...section.querySelectorAll('.jp-OutputArea-output img')].filter(i => i.naturalWidth);
      const size = scale => pictures.forEach(i => {
        i.style.width = Math.min(i.naturalWidth * scale, W - 40) + 'px';
      });
      const height = () => section.scrollHeight;
      let scale = 1;
      size(scale);
      for (let k = 0; k < 4 && pictures.length; k++) {   // a few steps: text beside pictures may reflow
        const tall = pictures.reduce((sum, i) => sum + i.getBoundingClientRect().height, 0);
        const next = Math.min(MAX_GROW, Math.max(MIN_SHRINK, scale * (tall + ROOM - height()) / tall));
        if (!tall || Math.abs(next - scale) < 0.01) break;
        scale = next;
        size(scale);
      }
      while (pictures.length && height() > ROOM && scale > MIN_SHRINK) {
        scale = Math.max(MIN_SHRINK, scale - 0.05);
        size(scale);
      }
      section.dataset.pictureScale = scale.toFixed(2);
      const h = height();
      if (h > ROOM) { section.style.zoom = (ROOM / h).toFixed(3); }
      section.dataset.fit = h > ROOM ? (ROOM / h).toFixed(3) : '1';
    });
  }

  window.addEventListener('load', () => Reveal.initialize({
    width: W, height: H, margin: 0, center: true, hash: true, controls: false, progress: true,
    slideNumber: 'c/t', transition: 'none', plugins: [RevealNotes],
  }).then(async () => {
    const images = [...document.querySelectorAll('.reveal img')];
    await Promise.all(images.map(i => i.decode().catch(() => null)));
    if (window.MathJax && MathJax.startup) {
      await MathJax.startup.promise;
      await MathJax.typesetPromise([document.querySelector('.reveal .slides')]);
    }
    leaves().forEach(fit);
    Reveal.layout();
    document.body.dataset.deck = 'fitted';
  }));
})();
