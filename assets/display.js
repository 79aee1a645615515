// The wall display (/display/[key]): a chime and a flash when a number is called.
// Browsers start sound only after a gesture, so the first tap (or key) anywhere unlocks it; the
// flash needs no gesture. The page keeps `#display-last-call[data-call]` up to date (it changes on
// every call); this script watches it. `html[data-chimes]` and `[data-flashes]` count what it did.
(function () {
  if (window.__queueDisplay) return;
  window.__queueDisplay = true;
  const root = document.documentElement;
  root.dataset.chimes = "0";
  root.dataset.flashes = "0";
  let audio = null;
  let last = null;

  function unlock() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    if (audio && audio.state === "suspended") audio.resume();
    root.dataset.sound = "on";
  }

  function chime() {
    if (!audio || audio.state !== "running") return false;
    const start = audio.currentTime + 0.02;
    [[659.25, 0], [880, 0.28]].forEach(([frequency, offset]) => {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.type = "sine";
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.5, start + offset + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 1.1);
      tone.connect(gain).connect(audio.destination);
      tone.start(start + offset);
      tone.stop(start + offset + 1.2);
    });
    return true;
  }

  function flash(queue) {
    document.querySelectorAll('[data-queue-card="' + queue + '"]').forEach((card) => {
      card.classList.remove("display-flash");
      void card.offsetWidth; // restart the animation when two calls come close together
      card.classList.add("display-flash");
    });
  }

  function check() {
    const marker = document.getElementById("display-last-call");
    if (!marker || marker.dataset.ready !== "1") return;
    const call = marker.dataset.call || "";
    if (last === null) { last = call; return; } // already called when the screen opened
    if (call === last) return;
    last = call;
    if (!call) return;
    if (chime()) root.dataset.chimes = String(Number(root.dataset.chimes) + 1);
    flash(marker.dataset.queue);
    root.dataset.flashes = String(Number(root.dataset.flashes) + 1);
  }

  document.addEventListener("pointerdown", unlock, { capture: true });
  document.addEventListener("keydown", unlock, { capture: true });
  new MutationObserver(check).observe(root, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["data-call"],
  });
  check();
})();
