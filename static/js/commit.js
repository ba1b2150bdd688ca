/* Jejak: commit–reveal of a committee ballot, computed in the browser.
 *
 * The commitment is SHA-256 over the RFC 8785 canonical JSON of
 *   {"member": <person id>, "nonce": <hex>, "reason": <text>, "scores": {<pseudonym>: <integer>}}
 * exactly as workflow/lifecycle/votes.py computes it, so the server receives only the digest until
 * the member reveals. The nonce (128 random bits) and the ballot go into a receipt the member
 * downloads; the reveal form can be filled from that file.
 *
 * No inline code (the CSP forbids it): this file wires itself to forms marked with
 * data-commit-form / data-reveal-form. Without JavaScript both forms still work; the server then
 * computes the commitment itself (see workflow/views/committee.py).
 */
(function () {
  "use strict";

  var RECEIPT_KIND = "jejak-vote-receipt/v1";
  var MAX_SAFE = 9007199254740991;

  // RFC 8785 for the shapes a ballot may hold: objects with ASCII keys, strings, safe integers.
  // JSON.stringify escapes strings exactly as RFC 8785 (and Python's json with ensure_ascii=False) does.
  function canonicalJSON(value) {
    if (typeof value === "string") {
      return JSON.stringify(value);
    }
    if (typeof value === "number") {
      if (!Number.isInteger(value) || Math.abs(value) > MAX_SAFE) {
        throw new Error("only safe integers are allowed");
      }
      return String(value);
    }
    if (value && typeof value === "object" && !Array.isArray(value)) {
      var keys = Object.keys(value).sort(); // UTF-16 code unit order, as RFC 8785 requires
      return "{" + keys.map(function (key) {
        if (!/^[\x00-\x7f]*$/.test(key)) { throw new Error("object keys must be ASCII"); }
        return JSON.stringify(key) + ":" + canonicalJSON(value[key]);
      }).join(",") + "}";
    }
    throw new Error("unsupported value in a ballot");
  }

  function ballotBody(member, scores, reason, nonce) {
    return { member: member, nonce: nonce, reason: reason, scores: scores };
  }

  function toHex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function subtle() {
    var c = (typeof globalThis !== "undefined" && globalThis.crypto) || null;
    if (!c || !c.subtle) { throw new Error("Web Crypto is not available"); }
    return c;
  }

  function commitment(member, scores, reason, nonce) {
    var bytes = new TextEncoder().encode(canonicalJSON(ballotBody(member, scores, reason, nonce)));
    return subtle().subtle.digest("SHA-256", bytes).then(toHex);
  }

  function randomNonce() {
    var bytes = new Uint8Array(16);
    subtle().getRandomValues(bytes);
    return toHex(bytes.buffer);
  }

  function makeReceipt(fields) {
    return JSON.stringify({
      kind: RECEIPT_KIND,
      note: fields.note,
      process: fields.process,
      round: fields.round,
      member: fields.member,
      scores: fields.scores,
      reason: fields.reason,
      nonce: fields.nonce,
      commitment: fields.commitment
    }, null, 2);
  }

  function parseReceipt(text) {
    var data = JSON.parse(text);
    if (!data || data.kind !== RECEIPT_KIND) { throw new Error("not a Jejak vote receipt"); }
    return data;
  }

  // --- the pages ------------------------------------------------------------------------------

  function storageKey(form) {
    return "jejak-receipt:" + form.dataset.process + ":" + form.dataset.round + ":" + form.dataset.member;
  }

  function scoreInputs(form) {
    return Array.prototype.slice.call(form.querySelectorAll("input[data-pseudonym]"));
  }

  function normalise(text) {
    return text.replace(/\r\n/g, "\n"); // the server reveals with LF line breaks too
  }

  function readBallot(form, reason) {
    var scores = {};
    var ok = true;
    var max = Number(form.dataset.scoreMax);
    scoreInputs(form).forEach(function (input) {
      var text = input.value.trim();
      if (!/^[0-9]+$/.test(text) || Number(text) > max) {
        ok = false;
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
        scores[input.dataset.pseudonym] = Number(text);
      }
    });
    var reasonText = normalise(reason.value);
    if (!reasonText.trim()) { ok = false; reason.setAttribute("aria-invalid", "true"); }
    else { reason.removeAttribute("aria-invalid"); }
    return ok ? { scores: scores, reason: reasonText } : null;
  }

  function offerDownload(link, text) {
    var blob = new Blob([text], { type: "text/plain;charset=utf-8" });
    if (link.dataset.url) { URL.revokeObjectURL(link.dataset.url); }
    link.dataset.url = URL.createObjectURL(blob);
    link.href = link.dataset.url;
  }

  function initCommit(form) {
    var panel = form.querySelector("[data-receipt-panel]");
    var status = form.querySelector("[data-commit-status]");
    var hidden = form.querySelector("input[name=commitment]");
    var button = form.querySelector("button[type=submit]");
    var edit = form.querySelector("[data-edit-ballot]");
    var reason = form.querySelector("textarea[name=reason]");
    form.querySelectorAll("[data-no-js]").forEach(function (el) { el.hidden = true; });
    form.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
    button.textContent = button.dataset.labelCompute;
    var ready = false;

    function lock(locked) {
      scoreInputs(form).forEach(function (input) {
        input.readOnly = locked;
        // Without a name the ballot is not sent: the server receives the digest only.
        if (locked) { input.dataset.name = input.name; input.removeAttribute("name"); }
        else if (input.dataset.name) { input.name = input.dataset.name; }
      });
      reason.readOnly = locked;
      if (locked) { reason.removeAttribute("name"); } else { reason.name = "reason"; }
    }

    edit.addEventListener("click", function () {
      ready = false;
      hidden.value = "";
      panel.hidden = true;
      lock(false);
      button.textContent = button.dataset.labelCompute;
    });

    form.addEventListener("submit", function (event) {
      if (ready) { return; } // second press: send the commitment
      event.preventDefault();
      var ballot = readBallot(form, reason);
      if (!ballot) {
        status.textContent = form.dataset.msgInvalid;
        return;
      }
      var nonce = randomNonce();
      commitment(form.dataset.member, ballot.scores, ballot.reason, nonce).then(function (digest) {
        var text = makeReceipt({
          note: form.dataset.msgNote, process: Number(form.dataset.process), round: Number(form.dataset.round),
          member: form.dataset.member, scores: ballot.scores, reason: ballot.reason, nonce: nonce, commitment: digest
        });
        try { window.sessionStorage.setItem(storageKey(form), text); } catch (e) { /* storage may be off */ }
        hidden.value = digest;
        panel.querySelector("[data-nonce]").textContent = nonce;
        panel.querySelector("[data-commitment]").textContent = digest;
        offerDownload(panel.querySelector("[data-download]"), text);
        panel.hidden = false;
        lock(true);
        ready = true;
        button.textContent = button.dataset.labelSend;
        status.textContent = form.dataset.msgReady;
        panel.querySelector("[data-download]").focus();
      }).catch(function () {
        // No Web Crypto (an old browser): fall back to the server-side commitment.
        form.querySelectorAll("[data-no-js]").forEach(function (el) { el.hidden = false; });
        status.textContent = form.dataset.msgNoCrypto;
        ready = true;
        form.submit();
      });
    });
  }

  function fillReveal(form, data) {
    scoreInputs(form).forEach(function (input) {
      var value = data.scores ? data.scores[input.dataset.pseudonym] : undefined;
      input.value = value === undefined ? "" : String(value);
    });
    form.querySelector("textarea[name=reason]").value = data.reason || "";
    form.querySelector("input[name=nonce]").value = data.nonce || "";
  }

  function initReveal(form) {
    var status = form.querySelector("[data-reveal-status]");
    form.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
    var file = form.querySelector("input[data-receipt-file]");
    file.addEventListener("change", function () {
      if (!file.files || !file.files[0]) { return; }
      var reader = new FileReader();
      reader.onload = function () {
        try {
          fillReveal(form, parseReceipt(String(reader.result)));
          status.textContent = form.dataset.msgFilled;
        } catch (e) {
          status.textContent = form.dataset.msgBadReceipt;
        }
      };
      reader.readAsText(file.files[0]);
    });
    var stored = null;
    try { stored = window.sessionStorage.getItem(storageKey(form)); } catch (e) { stored = null; }
    var useStored = form.querySelector("[data-use-stored]");
    if (stored && useStored) {
      useStored.hidden = false;
      useStored.addEventListener("click", function () {
        fillReveal(form, parseReceipt(stored));
        status.textContent = form.dataset.msgFilled;
      });
    }
  }

  function init() {
    document.querySelectorAll("form[data-commit-form]").forEach(initCommit);
    document.querySelectorAll("form[data-reveal-form]").forEach(initReveal);
  }

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
    else { init(); }
  }
  if (typeof module !== "undefined" && module.exports) {
    module.exports = { canonicalJSON: canonicalJSON, commitment: commitment, randomNonce: randomNonce,
      makeReceipt: makeReceipt, parseReceipt: parseReceipt };
  }
})();
