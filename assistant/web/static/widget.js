/* Puts the assistant's chat on a page: an iframe of <origin>/embed next to this script tag.
   Options as data attributes on the <script> tag:
     data-lang="sv|en"        language to start in (default: sv)
     data-target="element-id" put the chat inside that element instead of after the script
     data-height="600"        height in pixels (default 600)
     data-title="…"           accessible name of the iframe */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var base = new URL(".", script.src.replace(/app-static\/widget\.js(\?.*)?$/, ""));
  var lang = script.getAttribute("data-lang") === "en" ? "en" : "sv";
  var frame = document.createElement("iframe");
  frame.src = new URL("embed?lang=" + lang, base).href;
  frame.title = script.getAttribute("data-title") ||
    (lang === "en" ? "Ask about project funding" : "Fråga om projektstöd");
  frame.style.width = "100%";
  frame.style.maxWidth = "28rem";
  frame.style.height = (parseInt(script.getAttribute("data-height"), 10) || 600) + "px";
  frame.style.border = "1px solid #c9d0d8";
  frame.style.borderRadius = "8px";
  var target = script.getAttribute("data-target");
  var host = target && document.getElementById(target);
  if (host) {
    host.appendChild(frame);
  } else {
    script.parentNode.insertBefore(frame, script.nextSibling);
  }
}());
