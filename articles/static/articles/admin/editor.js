// Image uploads for the markdownx editor: a file button, drops and pastes, with the
// server's refusal shown next to the editor instead of markdownx's "Invalid response".
"use strict";
(function () {
  function csrfToken() {
    const cookie = document.cookie.split("; ").find((row) => row.startsWith("csrftoken="));
    if (cookie) return cookie.split("=")[1];
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showErrors(list, messages) {
    list.replaceChildren(...messages.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
    list.hidden = messages.length === 0;
  }

  function insertAtCursor(editor, text) {
    const start = editor.selectionStart, end = editor.selectionEnd;
    editor.value = editor.value.slice(0, start) + text + editor.value.slice(end);
    editor.selectionStart = editor.selectionEnd = start + text.length;
    // markdownx refreshes the preview on input.
    editor.dispatchEvent(new Event("input", { bubbles: true }));
  }

  async function upload(block, file) {
    const editor = block.querySelector(".markdownx-editor");
    const errors = block.querySelector(".markdownx-upload-errors");
    const data = new FormData();
    data.append("image", file);
    data.append("csrfmiddlewaretoken", csrfToken());
    editor.style.opacity = "0.5";
    try {
      const response = await fetch(editor.dataset.markdownxUploadUrlsPath, {
        method: "POST",
        body: data,
        headers: { "X-Requested-With": "XMLHttpRequest" },
        credentials: "same-origin",
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok && body.image_code) {
        showErrors(errors, []);
        insertAtCursor(editor, body.image_code);
      } else {
        const messages = Object.values(body).flat().filter((m) => typeof m === "string");
        showErrors(errors, messages.length ? messages : [errors.dataset.failed]);
      }
    } catch (error) {
      showErrors(errors, [errors.dataset.failed]);
    } finally {
      editor.style.opacity = "";
    }
  }

  function filesOf(transfer) {
    return transfer && transfer.files ? Array.from(transfer.files) : [];
  }

  function enhance(block) {
    const area = block.querySelector(".markdownx");
    // Capture phase: handled here, before markdownx's own uploader sees the files.
    for (const type of ["drop", "paste"]) {
      area.addEventListener(type, (event) => {
        const files = filesOf(event.dataTransfer || event.clipboardData);
        if (!files.length) return;
        event.preventDefault();
        event.stopPropagation();
        files.forEach((file) => upload(block, file));
      }, true);
    }
    block.querySelector(".markdownx-file").addEventListener("change", (event) => {
      filesOf(event.target).forEach((file) => upload(block, file));
      event.target.value = "";
    });
  }

  function enhanceCopyFields() {
    document.querySelectorAll(".preview-link input[readonly]").forEach((input) => {
      input.addEventListener("focus", () => input.select());
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".markdownx-block").forEach(enhance);
    enhanceCopyFields();
  });
})();
