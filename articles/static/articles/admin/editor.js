// The writing desk: Markdown on the left, on the right the preview as readers will see it
// (the site's renderer and stylesheet, in a frame so the admin's styles stay out of it).
// Toolbar and shortcuts, word count and reading time, images with a description,
// and a copy of unsaved text in this browser. Our own code: no third-party host.
"use strict";
(function () {
  const PREVIEW_DELAY = 250;
  const AUTOSAVE_DELAY = 800;
  const STORAGE_PREFIX = "writing-desk:";

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    const cookie = document.cookie.split("; ").find((row) => row.startsWith("csrftoken="));
    return cookie ? cookie.split("=")[1] : "";
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
  }

  function debounce(fn, delay) {
    let timer = null;
    let waiting = [];
    const run = () => {
      clearTimeout(timer);
      timer = null;
      fn(...waiting);
    };
    const debounced = (...args) => {
      clearTimeout(timer);
      waiting = args;
      timer = setTimeout(run, delay);
    };
    // Runs a call still waiting now, so that nothing runs later.
    debounced.flush = () => {
      if (timer !== null) run();
    };
    return debounced;
  }

  function timeLabel(moment) {
    return new Date(moment).toLocaleTimeString(document.documentElement.lang || undefined, {
      hour: "2-digit", minute: "2-digit",
    });
  }

  // Editing text: through insertText where the browser has it, so Ctrl+Z undoes our changes too.

  function replaceSelection(area, text, selectFrom, selectTo) {
    const start = area.selectionStart;
    area.focus();
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (selectFrom !== undefined) {
      area.setSelectionRange(start + selectFrom, start + selectTo);
    }
  }

  function wrap(area, before, after, placeholder) {
    const selected = area.value.slice(area.selectionStart, area.selectionEnd) || placeholder;
    replaceSelection(area, before + selected + after, before.length, before.length + selected.length);
  }

  function lineStart(area) {
    return area.value.lastIndexOf("\n", area.selectionStart - 1) + 1;
  }

  function prefixLines(area, prefix) {
    const start = lineStart(area);
    const endIndex = area.value.indexOf("\n", area.selectionEnd);
    const end = endIndex === -1 ? area.value.length : endIndex;
    const lines = area.value.slice(start, end).split("\n");
    // A heading replaces an existing one rather than stacking "## ## ".
    const text = lines.map((line) => prefix + line.replace(/^(#{1,6} |> |- )/, "")).join("\n");
    area.setSelectionRange(start, end);
    replaceSelection(area, text);
  }

  // A block (code, image) sits on its own lines, with a blank line before and after.
  function insertBlock(area, block, selectFrom, selectTo) {
    const before = area.value.slice(0, area.selectionStart);
    const after = area.value.slice(area.selectionEnd);
    const lead = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    const tail = after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
    const offset = lead.length;
    replaceSelection(area, lead + block + tail,
      selectFrom === undefined ? undefined : offset + selectFrom,
      selectTo === undefined ? undefined : offset + selectTo);
  }

  function markdownImage(url, alt, caption) {
    const cleanAlt = alt.replace(/\s+/g, " ").trim().replace(/([\[\]\\])/g, "\\$1");
    const cleanCaption = caption.replace(/\s+/g, " ").trim().replace(/"/g, "“");
    return `![${cleanAlt}](${url}${cleanCaption ? ` "${cleanCaption}"` : ""})`;
  }

  class Desk {
    constructor(root) {
      this.root = root;
      this.area = root.querySelector("textarea");
      this.frame = root.querySelector(".desk-preview");
      this.errors = root.querySelector(".desk-upload-errors");
      this.dialog = this.placeDialog();
      this.fileInput = root.querySelector(".desk-file");
      this.storageKey = STORAGE_PREFIX + location.pathname + ":" + this.area.name;
      this.lastPreviewed = null;
      this.previewRequest = 0;
      this.syncing = false;
      this.buildPreview();
      this.bindToolbar();
      this.bindShortcuts();
      this.bindImages();
      this.bindScrollSync();
      this.bindAutosave();
      this.update = debounce(() => this.refreshPreview(), PREVIEW_DELAY);
      this.area.addEventListener("input", this.update);
    }

    placeDialog() {
      const template = this.root.querySelector(".desk-image-dialog-template");
      const dialog = template.content.firstElementChild.cloneNode(true);
      dialog.dataset.for = this.area.id;
      document.body.append(dialog);
      return dialog;
    }

    // Preview: a frame holding the site's stylesheet and an article body, filled as you type.

    buildPreview() {
      const language = this.root.dataset.language;
      this.frame.srcdoc = `<!doctype html><html lang="${language}"><head><meta charset="utf-8">
        <base target="_blank"><link rel="stylesheet" href="${this.root.dataset.stylesheet}">
        <style>body{margin:0}main.wrap{padding-top:1rem;padding-bottom:2rem}</style></head>
        <body><main class="wrap"><article class="article"><div class="prose"></div></article></main></body></html>`;
      this.frame.addEventListener("load", () => {
        this.applyTheme();
        this.lastPreviewed = null;
        this.refreshPreview();
      });
      // Follow the admin's own theme switch; "Dark preview" overrides it.
      new MutationObserver(() => this.applyTheme()).observe(document.documentElement, {
        attributes: true, attributeFilter: ["data-theme"],
      });
    }

    previewBody() {
      const doc = this.frame.contentDocument;
      return doc ? doc.querySelector(".prose") : null;
    }

    applyTheme() {
      const doc = this.frame.contentDocument;
      if (!doc || !doc.documentElement) return;
      const button = this.root.querySelector("[data-action=theme]");
      const forced = button.getAttribute("aria-pressed") === "true" ? "dark" : null;
      const admin = document.documentElement.dataset.theme;
      const theme = forced || (admin === "dark" || admin === "light" ? admin : null);
      if (theme) doc.documentElement.dataset.theme = theme;
      else delete doc.documentElement.dataset.theme;
    }

    async refreshPreview() {
      const text = this.area.value;
      this.updateCount(text);
      if (text === this.lastPreviewed || !this.previewBody()) return;
      this.lastPreviewed = text;
      const request = ++this.previewRequest;
      const data = new FormData();
      data.append("content", text);
      try {
        const response = await fetch(this.root.dataset.previewUrl, {
          method: "POST",
          body: data,
          headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
          credentials: "same-origin",
        });
        if (!response.ok || request !== this.previewRequest) return;
        const html = await response.text();
        const body = this.previewBody();
        if (!body) return;
        // The renderer's own HTML, already sanitised on the server.
        body.innerHTML = html;
        this.updateCount(text, body.textContent);
        this.syncScroll();
      } catch (error) {
        this.lastPreviewed = null; // try again on the next change
      }
    }

    updateCount(text, rendered) {
      const source = rendered === undefined ? text : rendered;
      const words = (source.match(/[\p{L}\p{N}_]+/gu) || []).length;
      const minutes = words ? Math.ceil(words / Number(this.root.dataset.wordsPerMinute)) : 0;
      const counter = this.root.querySelector(".desk-count");
      counter.textContent = format(counter.dataset.template, {
        words: words.toLocaleString(), minutes,
      });
    }

    // Scrolling: the preview follows the text, and the text follows the preview.

    bindScrollSync() {
      const follow = (from, to) => () => {
        if (this.syncing) return;
        this.syncing = true;
        const range = from.scrollHeight - from.clientHeight;
        const ratio = range > 0 ? from.scrollTop / range : 0;
        to.scrollTop = ratio * (to.scrollHeight - to.clientHeight);
        requestAnimationFrame(() => { this.syncing = false; });
      };
      this.area.addEventListener("scroll", follow(this.area, this.frameScroller()));
      this.frame.addEventListener("load", () => {
        this.frame.contentWindow.addEventListener("scroll", () => {
          follow(this.frameScroller(), this.area)();
        });
      });
    }

    frameScroller() {
      const self = this;
      // The frame's document scrolls; this proxy reads and writes its position.
      return {
        get scrollTop() { return self.frame.contentDocument?.scrollingElement?.scrollTop || 0; },
        set scrollTop(value) {
          const element = self.frame.contentDocument?.scrollingElement;
          if (element) element.scrollTop = value;
        },
        get scrollHeight() { return self.frame.contentDocument?.scrollingElement?.scrollHeight || 0; },
        get clientHeight() { return self.frame.clientHeight; },
      };
    }

    syncScroll() {
      const range = this.area.scrollHeight - this.area.clientHeight;
      const ratio = range > 0 ? this.area.scrollTop / range : 0;
      const to = this.frameScroller();
      to.scrollTop = ratio * (to.scrollHeight - to.clientHeight);
    }

    // Toolbar and shortcuts.

    run(action) {
      const area = this.area;
      switch (action) {
        case "heading2": return prefixLines(area, "## ");
        case "heading3": return prefixLines(area, "### ");
        // The word to wrap when nothing is selected, in the field's language (the template's).
        case "bold": return wrap(area, "**", "**", this.root.dataset.placeholder);
        case "italic": return wrap(area, "_", "_", this.root.dataset.placeholder);
        case "code": return wrap(area, "`", "`", "code");
        case "quote": return prefixLines(area, "> ");
        case "list": return prefixLines(area, "- ");
        case "link": {
          const selected = area.value.slice(area.selectionStart, area.selectionEnd) || "link";
          const text = `[${selected}](https://)`;
          // Select the address, ready to be pasted over.
          return replaceSelection(area, text, selected.length + 3, text.length - 1);
        }
        case "codeblock": {
          const selected = area.value.slice(area.selectionStart, area.selectionEnd);
          const block = "```python\n" + (selected || "code") + "\n```";
          return insertBlock(area, block, 3, 9);
        }
        case "image": return this.fileInput.click();
        case "theme": {
          const button = this.root.querySelector("[data-action=theme]");
          button.setAttribute("aria-pressed", String(button.getAttribute("aria-pressed") !== "true"));
          return this.applyTheme();
        }
        default: return undefined;
      }
    }

    bindToolbar() {
      this.root.querySelectorAll(".desk-toolbar button").forEach((button) => {
        button.addEventListener("click", () => this.run(button.dataset.action));
      });
    }

    bindShortcuts() {
      const keys = {
        "b": "bold", "i": "italic", "k": "link", "e": "code",
        "shift+c": "codeblock", "shift+i": "image", "alt+2": "heading2", "alt+3": "heading3",
      };
      this.area.addEventListener("keydown", (event) => {
        if (!(event.ctrlKey || event.metaKey)) return;
        const key = event.code.startsWith("Digit") ? event.code.slice(5) : event.key.toLowerCase();
        const name = (event.shiftKey ? "shift+" : "") + (event.altKey ? "alt+" : "") + key;
        const action = keys[name];
        if (!action) return;
        event.preventDefault();
        this.run(action);
      });
    }

    // Images: upload, then the description and caption, then the Markdown.

    bindImages() {
      for (const type of ["drop", "paste"]) {
        this.area.addEventListener(type, (event) => {
          const transfer = event.dataTransfer || event.clipboardData;
          const files = transfer && transfer.files ? Array.from(transfer.files) : [];
          const images = files.filter((file) => file.type.startsWith("image/") || !file.type);
          if (!images.length) return;
          event.preventDefault();
          if (type === "drop" && document.caretPositionFromPoint) {
            const caret = document.caretPositionFromPoint(event.clientX, event.clientY);
            if (caret && caret.offsetNode === this.area) this.area.setSelectionRange(caret.offset, caret.offset);
          }
          this.uploadAll(images);
        });
      }
      this.area.addEventListener("dragover", (event) => {
        if (event.dataTransfer && Array.from(event.dataTransfer.types).includes("Files")) {
          event.preventDefault();
        }
      });
      this.fileInput.addEventListener("change", () => {
        const files = Array.from(this.fileInput.files);
        this.fileInput.value = "";
        this.uploadAll(files);
      });
      this.dialog.querySelector(".desk-image-cancel").addEventListener("click", () => {
        this.dialog.close("cancel");
      });
    }

    async uploadAll(files) {
      for (const file of files) {
        const url = await this.upload(file);
        if (url) await this.describe(url);
      }
    }

    showErrors(messages) {
      this.errors.replaceChildren(...messages.map((text) => {
        const item = document.createElement("li");
        item.textContent = text;
        return item;
      }));
      this.errors.hidden = messages.length === 0;
    }

    async upload(file) {
      const data = new FormData();
      data.append("image", file);
      this.root.classList.add("desk-uploading");
      try {
        const response = await fetch(this.root.dataset.uploadUrl, {
          method: "POST",
          body: data,
          headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
          credentials: "same-origin",
        });
        const body = await response.json().catch(() => ({}));
        if (response.ok && body.url) {
          this.showErrors([]);
          return body.url;
        }
        const messages = Object.values(body).flat().filter((m) => typeof m === "string");
        this.showErrors(messages.length ? messages : [this.root.dataset.uploadFailed]);
      } catch (error) {
        this.showErrors([this.root.dataset.uploadFailed]);
      } finally {
        this.root.classList.remove("desk-uploading");
      }
      return null;
    }

    describe(url) {
      const selection = [this.area.selectionStart, this.area.selectionEnd];
      const alt = this.dialog.querySelector(".desk-image-alt");
      const caption = this.dialog.querySelector(".desk-image-caption");
      this.dialog.querySelector(".desk-image-thumb").src = url;
      alt.value = "";
      caption.value = "";
      this.dialog.returnValue = "";
      this.dialog.showModal();
      alt.focus();
      return new Promise((resolve) => {
        this.dialog.addEventListener("close", () => {
          if (this.dialog.returnValue === "insert" && alt.value.trim()) {
            this.area.setSelectionRange(...selection);
            insertBlock(this.area, markdownImage(url, alt.value, caption.value));
          } else {
            this.area.focus();
          }
          resolve();
        }, { once: true });
      });
    }

    // Autosave: a copy in this browser, until the server has the same text.

    bindAutosave() {
      const status = this.root.querySelector(".desk-saved");
      const store = debounce(() => {
        try {
          const saved = Date.now();
          localStorage.setItem(this.storageKey, JSON.stringify({ text: this.area.value, saved }));
          status.textContent = format(this.root.dataset.savedLocally, { time: timeLabel(saved) });
        } catch (error) { /* storage full or disabled: nothing to keep */ }
      }, AUTOSAVE_DELAY);
      this.area.addEventListener("input", store);
      this.offerRestore();
      const form = this.area.form;
      if (form) {
        // Kept until the save is confirmed: an expired session must not lose the text.
        form.addEventListener("submit", () => {
          // A copy still waiting for its delay is written now: written after this mark, while
          // the page waits for the server, it would drop the mark and outlive the save.
          store.flush();
          const draft = this.readDraft();
          if (draft) localStorage.setItem(this.storageKey, JSON.stringify({ ...draft, submitted: true }));
        });
      }
    }

    readDraft() {
      try {
        return JSON.parse(localStorage.getItem(this.storageKey) || "null");
      } catch (error) {
        return null;
      }
    }

    offerRestore() {
      const draft = this.readDraft();
      if (!draft) return;
      if (draft.text === this.area.value) {
        localStorage.removeItem(this.storageKey);
        return;
      }
      const banner = this.root.querySelector(".desk-restore");
      const text = banner.querySelector(".desk-restore-text");
      text.textContent = format(text.dataset.template, { time: timeLabel(draft.saved) });
      banner.hidden = false;
      banner.querySelector(".desk-restore-yes").addEventListener("click", () => {
        this.area.select();
        replaceSelection(this.area, draft.text);
        this.area.setSelectionRange(0, 0);
        banner.hidden = true;
      }, { once: true });
      banner.querySelector(".desk-restore-no").addEventListener("click", () => {
        localStorage.removeItem(this.storageKey);
        banner.hidden = true;
      }, { once: true });
    }
  }

  // After a save the admin says so: the copies sent with that form are on the server now.
  function forgetSavedDrafts() {
    if (!document.querySelector(".messagelist .success")) return;
    for (const key of Object.keys(localStorage)) {
      if (!key.startsWith(STORAGE_PREFIX)) continue;
      try {
        if (JSON.parse(localStorage.getItem(key)).submitted) localStorage.removeItem(key);
      } catch (error) {
        localStorage.removeItem(key);
      }
    }
  }

  function enhanceCopyFields() {
    document.querySelectorAll(".preview-link input[readonly]").forEach((input) => {
      input.addEventListener("focus", () => input.select());
    });
  }

  // The language tabs (modeltranslation's, made when the page is ready) open in the language
  // the author writes in, unless a tab shows an error: that one stays open.
  function openWritingLanguage() {
    const marker = document.getElementById("writing-language");
    const $ = window.jQuery || (window.django && window.django.jQuery);
    if (!marker || !marker.dataset.language || !$ || !$.fn.tabs) return;
    $(".ui-tabs").each(function () {
      const tabs = $(this);
      if (tabs.find(".ui-tab-has-errors").length) return;
      const links = tabs.find("> ul > li > a").toArray();
      const index = links.findIndex((link) => link.hash.endsWith("_" + marker.dataset.language));
      if (index >= 0) tabs.tabs("option", "active", index);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    try { forgetSavedDrafts(); } catch (error) { /* storage disabled */ }
    document.querySelectorAll(".writing-desk").forEach((root) => new Desk(root));
    enhanceCopyFields();
  });
  // After every ready handler (modeltranslation makes the tabs in one): a timeout queued from
  // the ready callbacks runs once they all have.
  const jq = window.jQuery || (window.django && window.django.jQuery);
  if (jq) jq(() => setTimeout(openWritingLanguage, 0));
})();
