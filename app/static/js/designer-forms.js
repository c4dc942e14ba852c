// Form editor page: form-js editor with a live preview; saving posts the schema, the server validates it.
(function () {
  'use strict';
  const config = JSON.parse(document.getElementById('form-config').textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.getElementById('form-status');
  const say = (text, kind) => { status.className = 'small mb-1 alert alert-' + kind + ' py-1'; status.textContent = text; };

  const container = document.getElementById('form-editor');
  const previewContainer = document.getElementById('form-preview');
  if (window.motcuaTranslateFormEditor) { window.motcuaTranslateFormEditor(container, previewContainer); }
  const editor = new FormEditor.FormEditor({ container });
  const preview = new FormViewer.Form({ container: previewContainer });
  let pending = null;

  function refreshPreview() {
    clearTimeout(pending);
    pending = setTimeout(() => preview.importSchema(editor.saveSchema()).catch(() => {}), 250);
  }

  editor.importSchema(config.schema).then(() => {
    refreshPreview();
    editor.on('changed', refreshPreview);
    document.body.dataset.formReady = 'true';
  });
  window.motcuaFormEditor = editor;

  document.getElementById('form-save').addEventListener('click', () => {
    fetch(config.saveUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrf },
      body: JSON.stringify({ schema: editor.saveSchema() }),
    }).then((response) => response.json().then((body) => {
      if (response.ok) { say(config.saved, 'success'); } else { say(body.detail || config.error, 'danger'); }
    })).catch((error) => say(config.error + ' ' + error, 'danger'));
  });
}());
