/* The public chat at /: the page's language before anything is read out; Gradio's own button
   names (which follow the browser's language, not the page's) replaced by ours; [n] in an
   answer opens source n under it. */
(function () {
  "use strict";
  var LABELS = null;  /* strings.json, by language */
  var GRADIO = {"Copy message": "copy", "Copy": "copy", "Kopiera": "copy",
    "Copied message": "copied", "Copied": "copied", "Kopierat": "copied",
    "Like": "thumbs_up", "Gilla": "thumbs_up", "Dislike": "thumbs_down", "Ogilla": "thumbs_down",
    "Clear": "clear_chat", "Rensa chatten": "clear_chat"};
  /* Gradio may run this after the visitor has already switched language: keep their choice */
  if (!document.documentElement.dataset.langChosen) {
    document.documentElement.lang =
      new URLSearchParams(location.search).get("lang") === "en" ? "en" : "sv";
  }

  function relabel() {
    if (!LABELS) { return; }
    var words = LABELS[document.documentElement.lang] || LABELS.sv;
    if (document.title !== words.title) { document.title = words.title; }
    document.querySelectorAll("#chat button").forEach(function (b) {
      var now = b.getAttribute("aria-label");
      if (now && GRADIO[now]) { b.dataset.uiKey = GRADIO[now]; }
      var key = b.dataset.uiKey;
      if (!key || !words[key]) { return; }
      if (now !== words[key]) { b.setAttribute("aria-label", words[key]); }
      if (b.hasAttribute("title") && b.getAttribute("title") !== words[key]) {
        b.setAttribute("title", words[key]);
      }
    });
  }
  window.assistantRelabel = relabel;
  fetch("/app-static/strings.json").then(function (r) { return r.json(); })
    .then(function (all) { LABELS = all; relabel(); });
  new MutationObserver(relabel).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"]});

  document.addEventListener("click", function (ev) {
    var link = ev.target && ev.target.closest ? ev.target.closest("a.cite") : null;
    if (!link) { return; }
    var source = document.getElementById((link.getAttribute("href") || "").slice(1));
    if (!source) { return; }
    ev.preventDefault();
    ev.stopPropagation();
    var quote = source.querySelector("details");
    if (quote) { quote.open = true; }
    source.focus({preventScroll: true});
    source.scrollIntoView({block: "nearest"});
  }, true);
}());
