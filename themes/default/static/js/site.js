/* fedpress reader tools. Everything here only enhances: pages are complete without it. */
(function () {
  "use strict";
  var root = document.documentElement;

  function remember(key, value) {
    try {
      if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value);
    } catch (e) { /* private mode: the choice lasts for this page only */ }
  }

  /* 字体 大/中/小 and 长辈模式 (large print, high contrast); the early script applied the stored choice. */
  function syncReaderTools() {
    var font = root.getAttribute("data-font") || "medium";
    document.querySelectorAll(".font-button").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-font") === font));
    });
    document.querySelectorAll(".elder-button").forEach(function (button) {
      button.setAttribute("aria-pressed", String(root.hasAttribute("data-elder")));
    });
  }
  document.querySelectorAll(".font-button").forEach(function (button) {
    button.addEventListener("click", function () {
      var font = button.getAttribute("data-font");
      if (font === "medium") root.removeAttribute("data-font"); else root.setAttribute("data-font", font);
      remember("fedpress-font", font === "medium" ? null : font);
      syncReaderTools();
    });
  });
  document.querySelectorAll(".elder-button").forEach(function (button) {
    button.addEventListener("click", function () {
      var on = !root.hasAttribute("data-elder");
      if (on) root.setAttribute("data-elder", ""); else root.removeAttribute("data-elder");
      remember("fedpress-elder", on ? "1" : null);
      syncReaderTools();
    });
  });
  syncReaderTools();

  /* 复制链接: the Clipboard API, else select the address and use the older copy command. */
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    function done(ok) {
      status.textContent = ok ? "链接已复制，可以粘贴给亲友。" : "请长按或选中上面的网址手动复制。";
    }
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () { done(true); }, fallback);
      } else {
        fallback();
      }
    });
    function fallback() {
      field.focus();
      field.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok);
    }
  });

  /* 朗读: the browser's own speech synthesis, sentence by sentence (long utterances get cut off). */
  var speakButton = document.querySelector("[data-speak]");
  var stopButton = document.querySelector("[data-speak-stop]");
  if (speakButton && "speechSynthesis" in window) {
    var synth = window.speechSynthesis;
    var state = "idle";
    function label() {
      speakButton.textContent = state === "speaking" ? "暂停朗读" : state === "paused" ? "继续朗读" : "朗读";
      speakButton.setAttribute("aria-pressed", String(state === "speaking"));
      stopButton.hidden = state === "idle";
    }
    function chineseVoice() {
      var voices = synth.getVoices();
      for (var i = 0; i < voices.length; i++) {
        if (/^zh(-|_)?(CN|Hans)?/i.test(voices[i].lang)) return voices[i];
      }
      return null;
    }
    function readableText() {
      var parts = [];
      var title = document.querySelector(".item-header h1");
      if (title) parts.push(title.textContent);
      var body = document.querySelector(".item-body");
      if (body) parts.push(body.innerText);
      return parts.join("。\n");
    }
    function speak() {
      synth.cancel();
      var sentences = readableText().match(/[^。！？!?\n]+[。！？!?]?/g) || [];
      var voice = chineseVoice();
      sentences.forEach(function (sentence, index) {
        var utterance = new SpeechSynthesisUtterance(sentence.trim());
        utterance.lang = "zh-CN";
        if (voice) utterance.voice = voice;
        utterance.rate = 0.9;
        if (index === sentences.length - 1) {
          utterance.onend = function () { state = "idle"; label(); };
        }
        synth.speak(utterance);
      });
      state = "speaking";
      label();
    }
    speakButton.addEventListener("click", function () {
      if (state === "idle") speak();
      else if (state === "speaking") { synth.pause(); state = "paused"; label(); }
      else { synth.resume(); state = "speaking"; label(); }
    });
    stopButton.addEventListener("click", function () { synth.cancel(); state = "idle"; label(); });
    window.addEventListener("pagehide", function () { synth.cancel(); });
  }

  /* 打印 on the print view. */
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
