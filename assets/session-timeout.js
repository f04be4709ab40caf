/* global document, setTimeout, clearTimeout, setInterval, clearInterval, fetch -- this file runs in the browser */
// Progressive enhancement only (GOV.UK / HMRC timeout warning pattern): two minutes before the
// 20-minute idle sign-out, a dialog offers "Stay signed in". Without this script nothing is lost
// either: a form sent after the sign-out is kept and given back after signing in again.
const dialog = document.getElementById("session-timeout");

if (dialog && typeof dialog.showModal === "function") {
  const timeoutMs = Number(dialog.dataset.timeoutSeconds) * 1000;
  const warningMs = Number(dialog.dataset.warningSeconds) * 1000;
  const keepAlive = dialog.dataset.keepAlive;
  const countdown = dialog.querySelector("[data-countdown]");
  const announcement = dialog.querySelector("[data-announcement]");
  const warning = dialog.querySelector("[data-warning]");
  const signedOut = dialog.querySelector("[data-signed-out]");
  const stay = dialog.querySelector("[data-stay]");
  const close = dialog.querySelector("[data-close]");
  let deadline = 0;
  let warnTimer;
  let ticker;
  let announced = "";

  const inWords = (ms) => {
    const seconds = Math.max(0, Math.ceil(ms / 1000));
    if (seconds > 60) {
      const minutes = Math.ceil(seconds / 60);
      return `${minutes} minutes`;
    }
    return seconds === 1 ? "1 second" : `${seconds} seconds`;
  };

  const schedule = () => {
    deadline = Date.now() + timeoutMs;
    clearTimeout(warnTimer);
    clearInterval(ticker);
    warnTimer = setTimeout(warn, Math.max(0, timeoutMs - warningMs));
  };

  const update = () => {
    const left = deadline - Date.now();
    if (left <= 0) {
      showSignedOut();
      return;
    }
    countdown.textContent = inWords(left);
    // Screen readers hear the time left when the dialog opens and each minute, not every second.
    const spoken = left > 60_000 ? inWords(left) : "1 minute or less";
    if (spoken !== announced) {
      announced = spoken;
      announcement.textContent = `For your security, Steward will sign you out in ${spoken}.`;
    }
  };

  const warn = () => {
    warning.hidden = false;
    signedOut.hidden = true;
    announced = "";
    if (!dialog.open) {
      dialog.showModal();
    }
    update();
    ticker = setInterval(update, 1000);
  };

  const showSignedOut = () => {
    clearInterval(ticker);
    warning.hidden = true;
    signedOut.hidden = false;
    announcement.textContent = "You have been signed out.";
    if (!dialog.open) {
      dialog.showModal();
    }
    close.focus();
  };

  const staySignedIn = async () => {
    try {
      const response = await fetch(keepAlive, { credentials: "same-origin", redirect: "manual", cache: "no-store" });
      if (response.status === 204) {
        dialog.close();
        schedule();
        return;
      }
    } catch {
      // offline or refused: say so below
    }
    showSignedOut();
  };

  stay.addEventListener("click", staySignedIn);
  close.addEventListener("click", () => dialog.close());
  // Escape means "stay signed in" while there is still time, as in the HMRC pattern.
  dialog.addEventListener("cancel", (event) => {
    if (!warning.hidden) {
      event.preventDefault();
      staySignedIn();
    }
  });
  schedule();
}
