// The in-browser PDF check of a certificate page: hash the dropped or chosen file with Web Crypto
// (SubtleCrypto.digest, SHA-256) and compare it with the recorded hash. The file is never uploaded.
"use strict";
(function () {
  const box = document.getElementById("pdf-check");
  if (!box) {
    return;
  }
  const expected = box.dataset.sha256;
  const input = document.getElementById("pdf-file");
  const zone = document.getElementById("dropzone");
  const result = document.getElementById("pdf-result");
  const maxBytes = 64 * 1024 * 1024;

  function show(kind, text) {
    result.className = "result result-" + kind;
    result.dataset.result = kind;
    result.textContent = text;
  }

  async function check(file) {
    if (!file) {
      return;
    }
    if (!window.isSecureContext || !window.crypto || !window.crypto.subtle) {
      show("error", box.dataset.msgUnavailable);
      return;
    }
    if (file.size > maxBytes) {
      show("error", box.dataset.msgTooLarge);
      return;
    }
    show("working", box.dataset.msgWorking);
    try {
      const digest = await window.crypto.subtle.digest("SHA-256", await file.arrayBuffer());
      const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
      box.dataset.computed = hex;
      if (hex === expected) {
        show("match", box.dataset.msgMatch);
      } else {
        show("mismatch", box.dataset.msgMismatch.replace("{hash}", hex));
      }
    } catch (err) {
      show("error", box.dataset.msgError);
    }
  }

  input.addEventListener("change", () => check(input.files[0]));
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  // A file dropped anywhere on the page is checked, never opened (and so never sent anywhere) by the browser.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer && event.dataTransfer.files.length > 0) {
      check(event.dataTransfer.files[0]);
    }
  });
})();
