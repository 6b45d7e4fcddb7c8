/* The embeddable chat (/embed): asks /api/chat/stream, shows the streamed answer with [n]
   buttons that open its sources under it, thumbs up/down, a new-conversation button and a
   character count. No framework, no external asset; every text goes in as textContent. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("assistant-strings").textContent);
  var all = config.strings;
  var lang = config.lang;
  var maxChars = config.max_chars;
  var examples = config.examples || {};
  var history = [];
  var busy = false;
  var answers = 0;  /* answers shown in this conversation: ids of their sources */

  var el = {
    title: document.getElementById("w-title"),
    langBtn: document.getElementById("w-lang"),
    newBtn: document.getElementById("w-new"),
    count: document.getElementById("w-count"),
    notice: document.getElementById("w-notice"),
    intro: document.getElementById("w-intro"),
    log: document.getElementById("w-log"),
    messages: document.getElementById("w-messages"),
    examplesBox: document.querySelector(".examples"),
    live: document.getElementById("w-live"),
    examplesH: document.getElementById("w-examples-h"),
    examples: document.getElementById("w-examples"),
    form: document.getElementById("w-form"),
    label: document.getElementById("w-question-label"),
    question: document.getElementById("w-question"),
    send: document.getElementById("w-send"),
    hint: document.getElementById("w-hint")
  };

  function t(key) { return all[lang][key]; }
  /* An interface text with {name} placeholders filled in. */
  function fill(key, values) {
    return t(key).replace(/\{(\w+)\}/g, function (m, name) {
      return values[name] !== undefined ? String(values[name]) : m;
    });
  }
  function other() { return lang === "sv" ? "en" : "sv"; }

  function make(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  /* An interface text that follows the language switch (data-i18n = its key). */
  function label(tag, cls, key) {
    var node = make(tag, cls, t(key));
    node.dataset.i18n = key;
    return node;
  }

  /* The citation's source already opens the document at its page or section */
  function documentLink(c) {
    return c.source;
  }

  function where(c) {
    if (c.page) { return t("page") + " " + c.page; }
    if (c.section) { return t("section") + " ”" + c.section + "”"; }
    return "";
  }

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.title = t("widget_title");
    el.title.textContent = t("widget_title");
    el.intro.textContent = t("intro");
    el.examplesH.textContent = t("examples_heading");
    el.label.textContent = t("question_label");
    el.question.placeholder = t("question_placeholder");
    el.send.textContent = t("send");
    el.newBtn.textContent = t("clear");
    el.notice.textContent = t("notice");
    updateCount();
    document.querySelectorAll("button.cite").forEach(function (node) {
      node.setAttribute("aria-label", fill("show_source", { n: node.dataset.n }));
    });    el.langBtn.textContent = all[other()].lang_name;
    el.langBtn.setAttribute("lang", other());
    document.querySelectorAll("[data-i18n]").forEach(function (node) {
      node.textContent = t(node.dataset.i18n);
    });
    document.querySelectorAll("[data-i18n-label]").forEach(function (node) {
      node.setAttribute("aria-label", t(node.dataset.i18nLabel));
    });
    el.examples.textContent = "";
    (examples[lang] || []).forEach(function (q) {
      var li = make("li");
      var b = make("button", "example", q);
      b.type = "button";
      b.addEventListener("click", function () { ask(q); });
      li.appendChild(b);
      el.examples.appendChild(li);
    });
  }

  var THUMB = "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-" +
    "1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l" +
    "3.02-7.05c.09-.23.14-.47.14-.73v-2z";

  function thumbIcon(down) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "18");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", THUMB);
    path.setAttribute("fill", "currentColor");
    if (down) { path.setAttribute("transform", "rotate(180 12 12)"); }
    svg.appendChild(path);
    return svg;
  }

  function markedQuote(passage, quote) {
    var block = make("blockquote", "quote");
    var i = quote ? passage.indexOf(quote) : -1;
    if (i < 0) { block.textContent = passage; return block; }
    block.appendChild(document.createTextNode(passage.slice(0, i)));
    block.appendChild(make("mark", null, quote));
    block.appendChild(document.createTextNode(passage.slice(i + quote.length)));
    return block;
  }

  function sourceId(answerN, n) { return "a" + answerN + "-s" + n; }

  /* Source n under its answer: opened, in view and focused (a screen reader reads it out). */
  function showSource(answerN, n) {
    var li = document.getElementById(sourceId(answerN, n));
    if (!li) { return; }
    var details = li.querySelector("details");
    if (details) { details.open = true; }
    li.focus({ preventScroll: true });
    li.scrollIntoView({ block: "nearest" });
  }

  /* The answer text with each [n] of a cited source a button that shows that source. */
  function renderAnswerText(body, text, citations, answerN) {
    var cited = {};
    citations.forEach(function (c) { cited[c.n] = true; });
    body.textContent = "";
    var re = /\[(\d+)\]/g;
    var last = 0;
    var m;
    while ((m = re.exec(text)) !== null) {
      var n = parseInt(m[1], 10);
      if (!cited[n]) { continue; }
      body.appendChild(document.createTextNode(text.slice(last, m.index)));
      var b = make("button", "cite", "[" + n + "]");
      b.type = "button";
      b.dataset.n = String(n);
      b.setAttribute("aria-label", fill("show_source", { n: n }));
      b.addEventListener("click", showSource.bind(null, answerN, n));
      body.appendChild(b);
      last = re.lastIndex;
    }
    body.appendChild(document.createTextNode(text.slice(last)));
  }

  function renderSources(container, citations, answerN) {
    if (!citations.length) { return; }
    var box = make("div", "sources");
    box.appendChild(label("p", "sources-h", "sources_heading"));
    var list = make("ol", "source-list");
    citations.forEach(function (c) {
      var li = make("li", "source");
      li.id = sourceId(answerN, c.n);
      li.tabIndex = -1;
      var title = make("p", "source-title");
      title.appendChild(make("span", "source-n", "[" + c.n + "] "));
      title.appendChild(document.createTextNode(c.title));
      li.appendChild(title);
      var meta = [all[lang].doc_types[c.doc_type] || all[lang].doc_types.other, where(c)];
      li.appendChild(make("p", "source-meta", meta.filter(Boolean).join(" · ")));
      var details = make("details");
      details.appendChild(label("summary", null, "cited_passage"));
      details.appendChild(markedQuote(c.text, c.quote));
      li.appendChild(details);
      var a = make("a", "source-link");
      a.href = documentLink(c);
      a.target = "_blank";
      a.rel = "noopener";
      a.appendChild(label("span", null, "open_document_at"));
      a.appendChild(make("span", "sr-only", " " + c.title + " "));
      a.appendChild(label("span", "sr-only", "opens_new_tab"));
      li.appendChild(a);
      list.appendChild(li);
    });
    box.appendChild(list);
    container.appendChild(box);
  }

  function postFeedback(body) {
    return fetch("api/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (!r.ok) { throw new Error("feedback " + r.status); }
      return r.json();
    });
  }

  function renderFeedback(container, question, answer) {
    var box = make("div", "feedback");
    var group = make("div", "feedback-buttons");
    group.setAttribute("role", "group");
    var heading = label("span", "feedback-label", "feedback_heading");
    heading.id = "fb-" + Math.random().toString(36).slice(2);
    group.setAttribute("aria-labelledby", heading.id);
    group.appendChild(heading);
    var status = make("p", "feedback-status");
    status.setAttribute("role", "status");
    var state = { id: null };
    var commentForm = null;

    function showCommentForm() {
      if (commentForm) { return; }
      commentForm = make("form", "comment");
      var cid = "c-" + Math.random().toString(36).slice(2);
      var l = label("label", null, "comment_label");
      l.setAttribute("for", cid);
      var area = make("textarea");
      area.id = cid;
      area.rows = 2;
      area.maxLength = 1000;
      var send = label("button", "secondary", "send_comment");
      send.type = "submit";
      commentForm.appendChild(l);
      commentForm.appendChild(area);
      commentForm.appendChild(send);
      commentForm.addEventListener("submit", function (ev) {
        ev.preventDefault();
        if (!area.value.trim() || !state.id) { return; }
        postFeedback({ feedback_id: state.id, comment: area.value, channel: "embed" })
          .then(function () { status.textContent = t("comment_thanks"); commentForm.remove(); })
          .catch(function () { status.textContent = t("error"); });
      });
      box.appendChild(commentForm);
    }

    [["up", false, "thumbs_up"], ["down", true, "thumbs_down"]].forEach(function (spec) {
      var b = make("button", "thumb");
      b.type = "button";
      b.setAttribute("aria-label", t(spec[2]));
      b.dataset.i18nLabel = spec[2];
      b.setAttribute("aria-pressed", "false");
      b.dataset.rating = spec[0];
      b.appendChild(thumbIcon(spec[1]));
      b.addEventListener("click", function () {
        var body = state.id ? { feedback_id: state.id, rating: spec[0], channel: "embed" }
          : { question: question, answer: answer, rating: spec[0], channel: "embed" };
        postFeedback(body).then(function (res) {
          state.id = res.feedback_id;
          group.querySelectorAll("button.thumb").forEach(function (x) {
            x.setAttribute("aria-pressed", x === b ? "true" : "false");
          });
          status.textContent = t("feedback_thanks");
          showCommentForm();
        }).catch(function () { status.textContent = t("error"); });
      });
      group.appendChild(b);
    });
    box.appendChild(group);
    box.appendChild(status);
    container.appendChild(box);
  }

  function addMessage(role) {
    var li = make("li", "msg msg-" + role);
    li.appendChild(label("p", "msg-who", role === "user" ? "you" : "assistant"));
    var body = make("div", "msg-text");
    li.appendChild(body);
    el.messages.appendChild(li);
    return { item: li, body: body };
  }

  function scrollToEnd(node) {
    el.log.scrollTop = node.offsetTop;
  }

  /* Parses a text/event-stream body; calls onEvent(name, data, id) per event. */
  function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function dispatch(raw) {
      var name = "message", data = [], id = null;
      raw.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) { name = line.slice(6).trim(); }
        else if (line.indexOf("data:") === 0) { data.push(line.slice(5).replace(/^ /, "")); }
        else if (line.indexOf("id:") === 0) { id = line.slice(3).trim(); }
      });
      if (data.length) { onEvent(name, JSON.parse(data.join("\n")), id); }
    }
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) { if (buffer.trim()) { dispatch(buffer); } return; }
        buffer += decoder.decode(chunk.value, { stream: true });
        var parts = buffer.split("\n\n");
        buffer = parts.pop();
        parts.forEach(dispatch);
        return pump();
      });
    }
    return pump();
  }

  function finish(msg, question, answer) {
    if (!msg.item.isConnected) { return; }  /* a new conversation began meanwhile */
    answers += 1;
    renderAnswerText(msg.body, answer.answer, answer.citations || [], answers);
    if (answer.refused) { msg.item.classList.add("refused"); }
    renderSources(msg.item, answer.citations || [], answers);
    if (!answer.error) { renderFeedback(msg.item, question, answer.answer); }
    history.push({ role: "user", content: question });
    history.push({ role: "assistant", content: answer.answer });
    history = history.slice(-20);
    el.live.textContent = answer.answer;
    scrollToEnd(msg.item);
  }

  function fail(msg, text) {
    if (!msg.item.isConnected) { return; }
    msg.item.classList.add("failed");
    msg.body.textContent = text;
    el.live.textContent = text;
  }

  function ask(question) {
    question = question.trim();
    if (busy) { return; }
    if (!question) { el.hint.textContent = t("question_placeholder"); return; }
    if (question.length > maxChars) {
      el.hint.textContent = fill("too_long_pasted", { n: question.length, max: maxChars });
      return;
    }
    el.hint.textContent = "";
    el.intro.hidden = true;  /* room for the conversation in a small frame */
    el.examplesBox.hidden = true;
    busy = true;
    el.send.disabled = true;
    el.form.setAttribute("aria-busy", "true");
    var mine = addMessage("user");
    mine.body.textContent = question;
    var msg = addMessage("assistant");
    msg.body.textContent = t("thinking");
    msg.item.setAttribute("aria-busy", "true");
    el.live.textContent = t("thinking");
    el.question.value = "";
    updateCount();
    scrollToEnd(msg.item);
    var streamed = "";
    var done = false;
    fetch("api/chat/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
      body: JSON.stringify({ question: question, history: history, channel: "embed" })
    }).then(function (response) {
      if (response.status === 422) {
        /* the server's words follow the question's language; the page says it in its own */
        done = true;
        fail(msg, fill("invalid_question", { max: maxChars }));
        return;
      }
      if (!response.ok || !response.body) { throw new Error("HTTP " + response.status); }
      return readEvents(response, function (name, data) {
        if (name === "token") {
          streamed += data.text;
          if (msg.item.isConnected) { msg.body.textContent = streamed; }
        } else if (name === "answer") {
          done = true;
          finish(msg, question, data);
        } else if (name === "error") {
          done = true;
          fail(msg, t("error"));
        }
      });
    }).catch(function () {
      done = true;
      fail(msg, t("error"));
    }).then(function () {
      if (!msg.item.isConnected) { return; }  /* newConversation() has reset the form */
      if (!done) { fail(msg, t("error")); }
      busy = false;
      el.send.disabled = false;
      el.form.removeAttribute("aria-busy");
      msg.item.removeAttribute("aria-busy");
    });
  }

  /* How many characters of the limit are used; a pasted text over it is said, not cut. */
  function updateCount() {
    var n = el.question.value.length;
    el.count.textContent = fill("chars_count", { n: n, max: maxChars });
    el.count.classList.toggle("over", n > maxChars);
    if (n > maxChars) {
      el.question.setAttribute("aria-invalid", "true");
      el.hint.textContent = fill("too_long_pasted", { n: n, max: maxChars });
    } else if (el.question.hasAttribute("aria-invalid")) {
      el.question.removeAttribute("aria-invalid");
      el.hint.textContent = "";
    }
  }

  /* Forgets the conversation: messages, the history sent with questions, the answer count. */
  function newConversation() {
    el.messages.textContent = "";
    history = [];
    answers = 0;
    busy = false;
    el.send.disabled = false;
    el.form.removeAttribute("aria-busy");
    el.intro.hidden = false;
    el.examplesBox.hidden = false;
    el.hint.textContent = "";
    el.live.textContent = t("new_conversation_done");
    el.question.focus();
  }

  el.question.addEventListener("input", updateCount);
  el.newBtn.addEventListener("click", newConversation);
  el.form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    ask(el.question.value);
  });
  el.question.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      ask(el.question.value);
    }
  });
  el.langBtn.addEventListener("click", function () {
    lang = other();
    applyLanguage();
  });
  applyLanguage();
}());
